/** What every command carries besides its own fields: who, why, and how to guard the write. */
import type { AppendResult } from '../eventstore/event-store.port';
import type { TraceCarrier } from '../observability/tracing/trace-carrier';

export interface CommandContext {
  /** Unique per attempt; recorded as the causationId of every event the command appends. */
  readonly commandId: string;
  /** From the X-Correlation-Id header or generated; recorded on every event and echoed in the response. */
  readonly correlationId: string;
  /** The command's span (W3C trace context) when tracing is on; the append span is started under it. */
  readonly trace?: TraceCarrier;
  /** Who sent the command: the API key's name (src/auth/request-user.ts); recorded as metadata.userId. */
  readonly userId?: string;
  /**
   * The revision the client last saw (body `expectedRevision` or `If-Match`). When set, the command fails
   * with a concurrency conflict unless the stream is still there, so a client's read-modify-write is safe.
   */
  readonly expectedRevision?: number;
  readonly idempotency?: {
    /** The Idempotency-Key header. */
    readonly key: string;
    /** Hash of the request (method, path, body, If-Match): one key names one request. */
    readonly fingerprint: string;
  };
}

/** What a command handler returns to its controller. */
export interface CommandOutcome {
  /** Id of the aggregate the command wrote to (generated ids are returned here). */
  readonly id: string;
  readonly result: AppendResult;
  /** True when this is the stored result of an earlier request with the same Idempotency-Key. */
  readonly replayed: boolean;
}
