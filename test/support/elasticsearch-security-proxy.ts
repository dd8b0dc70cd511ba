/**
 * Elasticsearch's own security module (TLS, users, API keys) is not published on Maven Central, so the
 * jar-launched test node runs without it. This proxy stands where the security layer of a production
 * cluster would (issue #18): it terminates TLS with a test certificate, answers 401 the way
 * Elasticsearch does unless the request carries the expected basic credentials or API key, and forwards
 * the rest to the real node. It records every request, so a test can check which APIs Prism uses.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import type { TestCertificates } from './certificates';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authenticated: boolean;
  /** The request body (filled in as it streams through; kept up to 1 MiB). */
  body: string;
}

const MAX_RECORDED_BODY = 1 << 20;

export interface ElasticsearchSecurityProxy {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startElasticsearchSecurityProxy(options: {
  readonly upstream: string;
  readonly certificates: TestCertificates;
  readonly basic?: { readonly username: string; readonly password: string };
  /** The encoded API key a client sends as `Authorization: ApiKey <key>`. */
  readonly apiKey?: string;
}): Promise<ElasticsearchSecurityProxy> {
  const accepted = new Set<string>();
  if (options.basic)
    accepted.add(
      `Basic ${Buffer.from(`${options.basic.username}:${options.basic.password}`).toString('base64')}`,
    );
  if (options.apiKey) accepted.add(`ApiKey ${options.apiKey}`);
  const upstream = new URL(options.upstream);
  const requests: RecordedRequest[] = [];
  const server = https.createServer(
    {
      cert: readFileSync(options.certificates.certFile),
      key: readFileSync(options.certificates.keyFile),
    },
    (request, response) => {
      const authenticated = accepted.has(request.headers.authorization ?? '');
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        authenticated,
        body: '',
      };
      requests.push(recorded);
      request.on('data', (chunk: Buffer) => {
        if (recorded.body.length < MAX_RECORDED_BODY) recorded.body += chunk.toString('utf8');
      });
      if (!authenticated) {
        request.resume();
        response.writeHead(401, {
          'content-type': 'application/json',
          'www-authenticate': 'Basic realm="security", ApiKey',
          'x-elastic-product': 'Elasticsearch',
        });
        response.end(
          JSON.stringify({
            error: { type: 'security_exception', reason: 'unable to authenticate request' },
            status: 401,
          }),
        );
        return;
      }
      const headers = { ...request.headers, host: upstream.host };
      delete headers.authorization;
      const forwarded = http.request(
        { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on('error', (error) => {
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { type: 'proxy_error', reason: error.message }, status: 502 }));
      });
      request.pipe(forwarded);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
