import { loadConfig } from '../../config/app-config';
import { ConfigValidationError } from '../../config/app-config';
import { describeTracing, parseOtlpHeaders } from './tracing-settings';

function problemsOf(env: Record<string, string>): ConfigValidationError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('tracing configuration (OTEL_* variables)', () => {
  it('is off by default', () => {
    expect(loadConfig({}).tracing).toBeUndefined();
  });

  it('sends traces to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces, as service prism', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toEqual({
      url: 'http://collector:4318/v1/traces',
      serviceName: 'prism',
      headers: {},
    });
  });

  it('uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, before the base endpoint', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp/traces',
      OTEL_SERVICE_NAME: 'prism-eu',
    });
    expect(config.tracing).toMatchObject({
      url: 'https://traces.example.com/otlp/traces',
      serviceName: 'prism-eu',
    });
  });

  it('stays off with OTEL_SDK_DISABLED=true even when an endpoint is set', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' };
    expect(loadConfig(env).tracing).toBeUndefined();
  });

  it('decodes OTEL_EXPORTER_OTLP_HEADERS and never prints them in an error', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20s3cret-token, x-tenant = eu ',
    });
    expect(config.tracing?.headers).toEqual({ authorization: 'Bearer s3cret-token', 'x-tenant': 'eu' });
    expect(describeTracing(config.tracing)).toBe('OTLP http://collector:4318/v1/traces (service prism)');

    const error = problemsOf({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%zz-s3cret' });
    expect(error.problems.map((problem) => problem.variable)).toEqual(['OTEL_EXPORTER_OTLP_HEADERS']);
    expect(error.message).toContain('not valid URL encoding');
    expect(error.message).not.toContain('s3cret');
  });

  it('refuses an endpoint that is not an http(s) URL and a header entry without a name', () => {
    const error = problemsOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317',
      OTEL_SDK_DISABLED: 'yes',
    });
    expect(error.problems.map((problem) => problem.variable).sort()).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      'OTEL_SDK_DISABLED',
    ]);
    expect(parseOtlpHeaders('=value').problem).toBe('entry #1 is not key=value with a header name as key');
  });
});
