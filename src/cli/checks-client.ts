/**
 * The `prism verify` and `prism plan` client of a running Prism's checks API (src/admin/checks). Errors
 * are AdminClientErrors with the same advice as the other admin commands (start Prism or fix --url, set
 * PRISM_API_KEY to an admin key, or what the server answered).
 */
import type { PlanReport } from '../admin/checks/plan-definition';
import type { VerifyReport } from '../admin/checks/verify-projection';
import { AdminClientError } from './admin-client';

export type { PlanReport } from '../admin/checks/plan-definition';
export type { VerifyReport } from '../admin/checks/verify-projection';

/** GET /admin/projections/:name/verify: where a running verification is. */
export interface VerifyProgressJson {
  readonly phase: string;
  readonly startedAt: string;
  readonly eventsFolded: number;
  readonly position: string;
  readonly upTo: string;
  readonly scanned: number;
}

export interface ChecksClientOptions {
  readonly url: string;
  readonly apiKey?: string;
  /** Per request; a verification folds the whole log, so the default is generous (30 minutes). */
  readonly timeoutMs?: number;
}

export class ChecksClient {
  private readonly base: string;

  constructor(private readonly options: ChecksClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  verify(name: string, body: { maxDifferences?: number } = {}): Promise<VerifyReport> {
    return this.post(`/admin/projections/${encodeURIComponent(name)}/verify`, body);
  }

  /** The progress of a verification running now, or undefined when none is (404). */
  async verifyProgress(name: string): Promise<VerifyProgressJson | undefined> {
    try {
      return await this.request<VerifyProgressJson>(
        'GET',
        `/admin/projections/${encodeURIComponent(name)}/verify`,
        undefined,
        10_000,
      );
    } catch (error) {
      if (error instanceof AdminClientError && error.status === 404) return undefined;
      throw error;
    }
  }

  plan(body: {
    definition: string;
    filename: string;
    sampleStreams?: number;
    maxDifferences?: number;
  }): Promise<PlanReport> {
    return this.post('/admin/plan', body);
  }

  private post<T>(path: string, body: object): Promise<T> {
    return this.request('POST', path, body, this.options.timeoutMs ?? 30 * 60_000);
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body: object | undefined,
    timeoutMs: number,
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...(this.options.apiKey !== undefined && { authorization: `Bearer ${this.options.apiKey}` }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause =
        error instanceof Error ? (error.cause as { code?: unknown } | undefined)?.code : undefined;
      throw new AdminClientError(
        `Cannot connect to Prism at ${this.base} (${typeof cause === 'string' ? cause : error instanceof Error ? error.message : String(error)}); ` +
          'is it running there? Pass --url or set PRISM_URL to its address.',
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      parsed = undefined;
    }
    if (response.ok && parsed !== undefined) return parsed as T;
    const answer = (parsed ?? {}) as { error?: unknown; message?: unknown };
    const code = typeof answer.error === 'string' ? answer.error : undefined;
    const message = typeof answer.message === 'string' ? answer.message : `HTTP ${response.status}`;
    if (response.status === 401) {
      throw new AdminClientError(
        `Prism at ${this.base} needs an admin API key (401): set PRISM_API_KEY to a key with the admin role.`,
        401,
        code,
      );
    }
    throw new AdminClientError(
      `${message} (HTTP ${response.status}${code === undefined ? '' : ` ${code}`})`,
      response.status,
      code,
    );
  }
}
