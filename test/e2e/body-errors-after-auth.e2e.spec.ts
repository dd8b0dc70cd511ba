/**
 * A body that cannot be read is answered after the API key check, with X-Correlation-Id (issue #20): a
 * request without a key is a 401 whatever its body, and a keyed request with invalid JSON, a body nested
 * too deep or one too large gets its 400/413 in Prism's error format with the correlation id echoed.
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';
import { describeWithStores, useTestDatabase } from '../support/stores';

const WRITER_KEY = 'writer-key-body-errors';

describeWithStores(['postgres'], 'unreadable bodies after the key check', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let app: INestApplication;
  const post = (url: string) =>
    request(app.getHttpServer() as Parameters<typeof request>[0])
      .post(url)
      .set('Content-Type', 'application/json')
      .set('X-Correlation-Id', 'corr-body-errors');

  beforeAll(async () => {
    const config = loadConfig({ PRISM_PG_URL: database.url, PRISM_API_KEYS: `writer:${WRITER_KEY}` });
    app = await createPrismApp(config, { logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
  });

  const unreadable: [string, string, number, string][] = [
    ['invalid JSON', '{"customerId": ', 400, 'malformed_request'],
    ['JSON nested too deep', `${'['.repeat(100)}${']'.repeat(100)}`, 400, 'malformed_request'],
    ['a body over the limit', JSON.stringify({ name: 'x'.repeat(200_000) }), 413, 'payload_too_large'],
  ];

  it.each(unreadable)('answers %s without a key with 401, with the correlation id', async (_what, body) => {
    const response = await post('/customers').send(body);
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'unauthorized' });
    expect(response.headers['x-correlation-id']).toBe('corr-body-errors');
  });

  it.each(unreadable)(
    'answers %s with a key with its 4xx code, with the correlation id',
    async (_what, body, status, code) => {
      const response = await post('/customers').set('Authorization', `Bearer ${WRITER_KEY}`).send(body);
      expect(response.status).toBe(status);
      expect(response.body).toMatchObject({ error: code });
      expect(response.headers['x-correlation-id']).toBe('corr-body-errors');
    },
  );

  it('still reads a good body (the deferral passes only errors on)', async () => {
    const response = await post('/customers')
      .set('Authorization', `Bearer ${WRITER_KEY}`)
      .send({ customerId: 'body-ok', name: 'Ada', email: 'ada@example.com', city: 'London' });
    expect(response.status).toBe(201);
  });
});
