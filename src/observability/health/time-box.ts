/** A health read that does not answer in time counts as down: a probe must never hang on a dead store. */
export class CheckTimedOutError extends Error {
  override readonly name = 'CheckTimedOutError';
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

export async function timeBoxed<T>(work: () => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new CheckTimedOutError(ms)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
