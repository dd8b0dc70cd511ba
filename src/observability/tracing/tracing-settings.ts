/**
 * Tracing settings from the standard OpenTelemetry variables (read in src/config). Plain functions with no
 * OpenTelemetry import, so reading the config never loads the SDK.
 */

/** Where and how spans are exported; absent from AppConfig when tracing is off. */
export interface TracingSettings {
  /** The full OTLP/HTTP traces URL (`…/v1/traces`). */
  readonly url: string;
  readonly serviceName: string;
  /** Sent with every export (e.g. an authorization header); a secret, never logged. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface TracingVariables {
  readonly endpoint?: string;
  readonly tracesEndpoint?: string;
  readonly headers?: string;
  readonly serviceName: string;
  readonly disabled: boolean;
}

/** Path the OTLP/HTTP spec appends to OTEL_EXPORTER_OTLP_ENDPOINT for traces. */
const TRACES_PATH = 'v1/traces';

/**
 * Tracing is on when a traces endpoint is set and the SDK is not disabled. As the OTLP spec says, the
 * per-signal endpoint is used as is, the base endpoint gets `/v1/traces` appended.
 */
export function tracingSettingsOf(variables: TracingVariables): TracingSettings | undefined {
  if (variables.disabled) return undefined;
  const url =
    variables.tracesEndpoint ??
    (variables.endpoint === undefined
      ? undefined
      : `${variables.endpoint.replace(/\/+$/, '')}/${TRACES_PATH}`);
  if (url === undefined) return undefined;
  return {
    url,
    serviceName: variables.serviceName,
    headers: variables.headers === undefined ? {} : parseOtlpHeaders(variables.headers).headers,
  };
}

/**
 * OTEL_EXPORTER_OTLP_HEADERS: `key=value,key2=value2`, values URL-encoded (the W3C baggage format the
 * OpenTelemetry spec uses). The problem never quotes a value: headers usually carry a token.
 */
export function parseOtlpHeaders(text: string): {
  headers: Record<string, string>;
  problem?: string;
} {
  const headers: Record<string, string> = {};
  const entries = text.split(',').map((entry) => entry.trim());
  for (const [index, entry] of entries.entries()) {
    if (entry === '') continue;
    const equals = entry.indexOf('=');
    const key = equals < 0 ? '' : entry.slice(0, equals).trim();
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key))
      return { headers, problem: `entry #${index + 1} is not key=value with a header name as key` };
    try {
      headers[key.toLowerCase()] = decodeURIComponent(entry.slice(equals + 1).trim());
    } catch {
      return { headers, problem: `the value of "${key}" is not valid URL encoding` };
    }
  }
  return { headers };
}

/** For the start-up banner: where spans go, without the headers (they may hold a token). */
export function describeTracing(settings: TracingSettings | undefined): string {
  if (settings === undefined) return 'off';
  const url = new URL(settings.url);
  url.username = '';
  url.password = '';
  return `OTLP ${url.toString()} (service ${settings.serviceName})`;
}
