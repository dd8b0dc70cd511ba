import type { HttpRequest } from './http.types';
import { isJson, jsonContentTypeMiddleware } from './json-content-type.middleware';
import { HttpRequestError } from './request.errors';

function run(method: string, headers: Record<string, string>): unknown {
  const request = {
    method,
    originalUrl: '/customers',
    header: (name: string) => headers[name.toLowerCase()],
  } as HttpRequest;
  let passed: unknown = 'not called';
  jsonContentTypeMiddleware(request, {} as never, (error) => {
    passed = error;
  });
  return passed;
}

describe('commands need JSON bodies (issue #12 item 10)', () => {
  it('accepts application/json with or without charset=utf-8', () => {
    expect(isJson('application/json')).toBe(true);
    expect(isJson('Application/JSON; charset=UTF-8')).toBe(true);
    expect(isJson('application/json; charset="utf-8"')).toBe(true);
    expect(isJson('application/json; charset=latin1')).toBe(false);
    expect(isJson('application/x-www-form-urlencoded')).toBe(false);
    expect(isJson('text/plain')).toBe(false);
    expect(isJson('multipart/form-data; boundary=x')).toBe(false);
    expect(isJson('application/jsonp')).toBe(false);
  });

  it('answers 415 for a form post, a text/plain body and a body without a Content-Type', () => {
    for (const contentType of ['application/x-www-form-urlencoded', 'text/plain', undefined]) {
      const error = run('POST', {
        'content-length': '12',
        ...(contentType !== undefined && { 'content-type': contentType }),
      });
      expect(error).toBeInstanceOf(HttpRequestError);
      expect((error as HttpRequestError).code).toBe('unsupported_media_type');
    }
    expect(run('DELETE', { 'transfer-encoding': 'chunked', 'content-type': 'text/plain' })).toBeInstanceOf(
      HttpRequestError,
    );
  });

  it('lets JSON bodies, bodiless commands and reads through', () => {
    expect(run('POST', { 'content-length': '2', 'content-type': 'application/json' })).toBeUndefined();
    expect(run('POST', {})).toBeUndefined();
    expect(run('POST', { 'content-length': '0', 'content-type': 'text/plain' })).toBeUndefined();
    expect(run('GET', { 'content-length': '5', 'content-type': 'text/plain' })).toBeUndefined();
  });
});
