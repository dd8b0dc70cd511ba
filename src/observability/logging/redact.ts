/**
 * Never print a credential: the password part of any URL in a log line is replaced with ***. Config
 * values are redacted where they are printed (describeEventStore); this is the net under every log line,
 * for driver errors that quote a connection string.
 */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+):[^@\s/]*@/gi;

export function redactSecrets(text: string): string {
  return text.replace(URL_PASSWORD, '$1:***@');
}
