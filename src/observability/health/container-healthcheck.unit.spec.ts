import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { livenessUrl, probe } from './container-healthcheck';

describe('container healthcheck', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      if (request.url === '/ok') response.writeHead(200).end('{}');
      else if (request.url === '/down') response.writeHead(503).end('{}');
      // '/hang': never answers, so the probe's time limit must end it
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('is healthy on a 2xx', async () => {
    expect(await probe(`${base}/ok`, 2_000)).toEqual({ healthy: true, detail: 'HTTP 200' });
  });

  it('is unhealthy on a 5xx', async () => {
    expect(await probe(`${base}/down`, 2_000)).toEqual({ healthy: false, detail: 'HTTP 503' });
  });

  it('is unhealthy when nothing answers in time', async () => {
    expect(await probe(`${base}/hang`, 200)).toEqual({ healthy: false, detail: 'no answer within 200 ms' });
  });

  it('is unhealthy when nothing listens', async () => {
    const result = await probe('http://127.0.0.1:1/health/live', 2_000);
    expect(result.healthy).toBe(false);
    expect(result.detail).toMatch(/ECONNREFUSED/);
  });

  it('probes the liveness route on the configured port', () => {
    expect(livenessUrl({})).toBe('http://127.0.0.1:3000/health/live');
    expect(livenessUrl({ PORT: '8080' })).toBe('http://127.0.0.1:8080/health/live');
  });
});
