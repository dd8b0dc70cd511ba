/**
 * The `prism` CLI's client of a running Prism's admin API (`/admin/projections`). Every failure becomes an
 * AdminClientError whose message says what to do: start Prism or fix --url, set PRISM_API_KEY to a key of
 * the role the server asked for, or what the server answered.
 */
import type {
  ParkedEventJson,
  ParkedResolutionJson,
  ProjectionDropJson,
  ProjectionStatusJson,
  RebuildStartedJson,
} from '../admin/admin.dto';
import type { NodesJson } from '../admin/cluster-view';

export type { NodeJson, NodeLeaseJson, NodesJson } from '../admin/cluster-view';
export type {
  GenerationStatusJson,
  ParkedEventJson,
  ParkedResolutionJson,
  ProjectionDropJson,
  ProjectionStatusJson,
  RebuildStartedJson,
} from '../admin/admin.dto';

export const DEFAULT_PRISM_URL = 'http://127.0.0.1:3000';

export interface AdminClientOptions {
  /** Base URL of the Prism HTTP API. */
  readonly url: string;
  readonly apiKey?: string;
  /** Per request. */
  readonly timeoutMs?: number;
}

/** Any failure of an admin call; `status` is the HTTP status when the server answered. */
export class AdminClientError extends Error {
  override readonly name = 'AdminClientError';
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

interface ErrorBody {
  readonly error?: unknown;
  readonly message?: unknown;
  readonly requiredRole?: unknown;
}

export class AdminClient {
  private readonly base: string;

  constructor(private readonly options: AdminClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  async statuses(): Promise<ProjectionStatusJson[]> {
    return (await this.call<{ projections: ProjectionStatusJson[] }>('GET', '')).projections;
  }

  status(name: string): Promise<ProjectionStatusJson> {
    return this.call('GET', `/${enc(name)}`);
  }

  pause(name: string): Promise<ProjectionStatusJson> {
    return this.call('POST', `/${enc(name)}/pause`);
  }

  resume(name: string): Promise<ProjectionStatusJson> {
    return this.call('POST', `/${enc(name)}/resume`);
  }

  rebuild(name: string): Promise<RebuildStartedJson> {
    return this.call('POST', `/${enc(name)}/rebuild`);
  }

  reset(name: string): Promise<RebuildStartedJson> {
    return this.call('POST', `/${enc(name)}/reset`);
  }

  async parked(name: string): Promise<ParkedEventJson[]> {
    return (await this.call<{ parked: ParkedEventJson[] }>('GET', `/${enc(name)}/parked`)).parked;
  }

  replay(name: string, position: string): Promise<ParkedResolutionJson> {
    return this.call('POST', `/${enc(name)}/parked/${enc(position)}/replay`);
  }

  discard(name: string, position: string): Promise<ParkedResolutionJson> {
    return this.call('POST', `/${enc(name)}/parked/${enc(position)}/discard`);
  }

  /** Drops an orphaned projection's views and bookkeeping; `dryRun` only lists them. */
  drop(name: string, dryRun: boolean): Promise<ProjectionDropJson> {
    return this.call('DELETE', `/${enc(name)}${dryRun ? '?dryRun=true' : ''}`);
  }

  /** Every Prism node, its role, heartbeat and leases (GET /admin/nodes, issue #15). */
  nodes(): Promise<NodesJson> {
    return this.call('GET', '', '/admin/nodes');
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    root = '/admin/projections',
  ): Promise<T> {
    const url = `${this.base}${root}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(this.options.apiKey !== undefined && { authorization: `Bearer ${this.options.apiKey}` }),
        },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new AdminClientError(
        `Cannot connect to Prism at ${this.base} (${connectionProblem(error)}); is it running there? ` +
          'Pass --url or set PRISM_URL to its address.',
      );
    }
    const text = await response.text();
    const body = parseJson(text);
    if (response.ok) {
      if (body === undefined) {
        throw new AdminClientError(
          `Prism at ${this.base} answered ${method} ${path || '/'} with a body that is not JSON.`,
        );
      }
      return body as T;
    }
    throw this.failure(response.status, body ?? {});
  }

  private failure(status: number, body: unknown): AdminClientError {
    const { error, message: text, requiredRole } = body as ErrorBody;
    const code = typeof error === 'string' ? error : undefined;
    const message = typeof text === 'string' ? text : `HTTP ${status}`;
    const role = typeof requiredRole === 'string' ? requiredRole : 'admin';
    if (status === 401) {
      const fix =
        this.options.apiKey === undefined
          ? `No API key was given: set PRISM_API_KEY to a key with the ${role} role.`
          : `The key was refused: set PRISM_API_KEY to a key with the ${role} role (listed in the server's PRISM_API_KEYS).`;
      return new AdminClientError(
        `Prism at ${this.base} needs ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} API key (401). ${fix}`,
        status,
        code,
      );
    }
    if (status === 403 && code === 'admin_api_disabled') {
      return new AdminClientError(`Prism at ${this.base}: ${message}`, status, code);
    }
    if (status === 403) {
      const detail = typeof text === 'string' ? text : `This needs the ${role} role.`;
      return new AdminClientError(`Prism at ${this.base} refused the key (403): ${detail}`, status, code);
    }
    return new AdminClientError(
      `${message} (HTTP ${status}${code === undefined ? '' : ` ${code}`})`,
      status,
      code,
    );
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * fetch reports "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a timeout) is in its cause. Read by
 * shape, not instanceof: fetch's errors may come from another realm (e.g. under Jest).
 */
function connectionProblem(error: unknown): string {
  const { name, message, cause } = (error ?? {}) as { name?: unknown; message?: unknown; cause?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError') return 'no answer in time';
  const reason = (cause ?? {}) as { code?: unknown; message?: unknown };
  if (typeof reason.code === 'string') return reason.code;
  if (typeof reason.message === 'string') return reason.message;
  return typeof message === 'string' ? message : String(error);
}
