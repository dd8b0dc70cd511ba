/**
 * Never print a credential:
 *  - the password part of any URL in a log line is replaced with *** (driver errors quote connection
 *    strings; config values are redacted where they are printed, see describeEventStore);
 *  - the value of a credential-looking query parameter (`?api_key=...`, `&token=...`) is replaced with ***
 *    (issue #12 item 4: `GET /admin/projections?api_key=<key>` was logged with the key). Such requests are
 *    refused (400 credentials_in_url), but the refusal itself must not print the key either.
 * redactSecrets is the net under every log line; code that logs a request URL also calls redactUrl itself,
 * so a host app's own logger never sees the key.
 */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+):[^@\s/]*@/gi;

/** `name=value` after `?`, `&` or `;`, up to the next separator, whitespace or quote. */
const QUERY_PARAMETER = /([?&;])([^=&#;\s"'?]+)=([^&#;\s"']*)/g;

/**
 * Query parameter names taken for credentials, compared without case, `-`, `_` and `.` and without a
 * `[...]` suffix: `api_key`, `API-Key`, `apiKey` and `api_key[eq]` are all `apikey`.
 */
const CREDENTIAL_NAMES: ReadonlySet<string> = new Set([
  'apikey',
  'xapikey',
  'apitoken',
  'key',
  'token',
  'accesstoken',
  'authtoken',
  'idtoken',
  'refreshtoken',
  'sessiontoken',
  'bearer',
  'auth',
  'authorization',
  'jwt',
  'password',
  'passwd',
  'pwd',
  'secret',
  'clientsecret',
  'privatekey',
  'accesskey',
  'secretkey',
]);
/** Any name ending in one of these is a credential too (`admin_api_key`, `db_password`, `client-secret`). */
const CREDENTIAL_SUFFIXES = ['apikey', 'password', 'secret'];

/** Whether a query parameter named `name` would carry a credential. */
export function isCredentialParameter(name: string): boolean {
  const normalized = safeDecode(name)
    .replace(/\[.*$/, '')
    .toLowerCase()
    .replace(/[-_.\s]/g, '');
  return (
    CREDENTIAL_NAMES.has(normalized) || CREDENTIAL_SUFFIXES.some((suffix) => normalized.endsWith(suffix))
  );
}

/** The names of the credential-looking parameters in a URL's query string (each once, in order). */
export function credentialParametersOf(url: string): string[] {
  const query = url.indexOf('?');
  if (query < 0) return [];
  const names = new Set<string>();
  for (const part of url.slice(query + 1).split(/[&;]/)) {
    const name = part.split('=', 1)[0] ?? '';
    if (name !== '' && isCredentialParameter(name)) names.add(safeDecode(name));
  }
  return [...names];
}

/** The URL (or any text holding URLs) with credential-looking query values replaced by ***. */
export function redactUrl(text: string): string {
  return text.replace(QUERY_PARAMETER, (match, separator: string, name: string) =>
    isCredentialParameter(name) ? `${separator}${name}=***` : match,
  );
}

export function redactSecrets(text: string): string {
  return redactUrl(text.replace(URL_PASSWORD, '$1:***@'));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
