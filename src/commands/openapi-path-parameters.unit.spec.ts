import type { OpenAPIObject } from '@nestjs/swagger';
import { addMissingPathParameters } from './openapi-path-parameters';

describe('addMissingPathParameters', () => {
  it('declares the path parameters a route left out (tsx emits no metadata) and keeps declared ones', () => {
    const document = {
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {
        '/views/{name}/{key}': {
          get: {
            parameters: [
              { name: 'key', in: 'path', required: true, schema: { type: 'string', pattern: '^k' } },
            ],
            responses: {},
          },
        },
      },
    } as unknown as OpenAPIObject;
    addMissingPathParameters(document);
    expect(document.paths['/views/{name}/{key}']!.get!.parameters).toEqual([
      { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'key', in: 'path', required: true, schema: { type: 'string', pattern: '^k' } },
    ]);
  });
});
