/**
 * The production image's HEALTHCHECK: `node dist/observability/health/container-healthcheck.js`.
 * The slim Node base image has no curl, so the probe is this script. It asks the liveness route (not
 * readiness: an orchestrator restarts an unhealthy container, and a node waiting for a store to come
 * back must be left alone, not restarted) and exits 0 on a 2xx, 1 otherwise, within a time limit.
 */
import http from 'node:http';

export interface ProbeResult {
  readonly healthy: boolean;
  readonly detail: string;
}

export function probe(url: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve({ healthy: status >= 200 && status < 300, detail: `HTTP ${status}` });
    });
    request.on('timeout', () => {
      request.destroy();
      resolve({ healthy: false, detail: `no answer within ${timeoutMs} ms` });
    });
    request.on('error', (error) => resolve({ healthy: false, detail: error.message }));
  });
}

/** The URL to probe: Prism's own port on loopback (it listens on 0.0.0.0 in the image). */
export function livenessUrl(env: Readonly<Record<string, string | undefined>>): string {
  const port = env.PORT !== undefined && env.PORT !== '' ? env.PORT : '3000';
  return `http://127.0.0.1:${port}/health/live`;
}

if (require.main === module) {
  void probe(livenessUrl(process.env), 4_000).then(({ healthy, detail }) => {
    process.stdout.write(`prism ${healthy ? 'healthy' : 'unhealthy'}: ${detail}\n`);
    process.exit(healthy ? 0 : 1);
  });
}
