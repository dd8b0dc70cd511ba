/** Runs a controller's work and rethrows a failure as the HTTP error `toHttpError` maps it to. */
export async function answerOrThrow<T>(
  work: () => Promise<T>,
  toHttpError: (error: unknown) => unknown,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toHttpError(error);
  }
}
