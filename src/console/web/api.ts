/**
 * Calls to Prism's admin API with the admin key. The key is kept in sessionStorage (gone when the tab
 * closes) and sent only as `Authorization: Bearer`, never in a URL. Every failure becomes an ApiError whose
 * message says in words what happened and what to do.
 */

const KEY_ITEM = 'prism.console.adminKey';

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY_ITEM, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY_ITEM);
}

export class ApiError extends Error {
  constructor(
    /** HTTP status, or 0 when Prism did not answer at all. */
    readonly status: number,
    /** The body's `error` code (snake_case), or a code made up here for network failures. */
    readonly code: string,
    message: string,
    /** Extra lines to list (e.g. definition problems as file:line:col). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }

  /** The key is missing, unknown, or not an admin key: the console asks for one again. */
  get keyRefused(): boolean {
    return this.status === 401 || (this.status === 403 && this.code !== 'admin_api_disabled');
  }
}

export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = storedKey();
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
    });
  } catch {
    throw new ApiError(
      0,
      'server_unreachable',
      'Prism is not answering: the server may be down or restarting, or the network is cut. ' +
        'The console keeps trying.',
    );
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) throw errorOf(response.status, parsed);
  return parsed as T;
}

/** The words for a failed answer, from its status and the body's `{ error, message, ... }`. */
export function errorOf(status: number, body: unknown): ApiError {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof fields.error === 'string' ? fields.error : `http_${status}`;
  const serverMessage = typeof fields.message === 'string' ? fields.message : '';
  const details = Array.isArray(fields.problems)
    ? fields.problems.filter((p): p is string => typeof p === 'string')
    : [];
  const words = (prefix: string) => (serverMessage === '' ? prefix : `${prefix} ${serverMessage}`);
  switch (status) {
    case 401:
      // The server's message explains how to send a key; the console does that, so what matters is which key.
      return new ApiError(
        status,
        code,
        'The admin key was refused (401): Prism does not know this key. Use an admin key from PRISM_API_KEYS.',
      );
    case 403:
      return new ApiError(
        status,
        code,
        code === 'admin_api_disabled'
          ? words('The admin API is switched off on this server (403).')
          : words('This key is not allowed here (403): the console needs a key with the admin role.'),
      );
    case 404:
      return new ApiError(status, code, words('Not found (404).'));
    case 409:
      return new ApiError(status, code, words('Not possible right now (409).'));
    case 422:
      return new ApiError(status, code, words('The definition does not validate (422).'), details);
    case 503:
      return new ApiError(status, code, words('Prism cannot do this right now (503); try again shortly.'));
    default:
      return new ApiError(
        status,
        code,
        status >= 500
          ? words(`Prism failed with an internal error (${status}); its log says why.`)
          : words(`The request was refused (${status}).`),
        details,
      );
  }
}

/** Encodes a projection name or position for a path segment. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
