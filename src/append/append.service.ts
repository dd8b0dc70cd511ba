/**
 * Appends a client's batch of events to one stream: one atomic append with the expected revision the
 * client asked for, every event's metadata filled in by Prism (who, correlation, causation, trace), and
 * the Idempotency-Key protocol of the commands (src/commands/README.md "Idempotency") around it.
 *
 * The protocol is the command runner's (both call runIdempotently), keyed the same way, so one key
 * namespace serves both: a key used for a command and then for an append (a different request) is
 * `idempotency_key_reused`. The request id is the causationId of every event it appends, which is how a
 * retry finds out that an earlier attempt wrote its events and then died before recording its result.
 * Plain TypeScript: the controller is a thin Nest adapter around it.
 */
import type { CommandContext } from '../commands/command-context';
import type { IdempotencyStore } from '../commands/idempotency/idempotency.port';
import { findEarlierWrite, runIdempotently } from '../commands/idempotency/run-idempotently';
import type {
  AppendResult,
  EventToAppend,
  ExpectedRevision,
  StreamWriter,
} from '../eventstore/event-store.port';
import { startAppendSpan } from '../observability/tracing/append-span';
import { BODY_FIELD, fieldsOf } from '../aggregates/payload-validation';
import { RequestValidationError } from '../http/request.errors';
import { EventCatalog } from '../events-catalog/event-catalog';
import { checkPayload } from '../events-catalog/payload-check';
import type { AppendEventBody } from './append-request.schema';

export interface AppendRequest {
  readonly streamId: string;
  readonly events: readonly AppendEventBody[];
  readonly expected: ExpectedRevision;
}

export interface AppendOutcome {
  readonly result: AppendResult;
  /** True when this is the stored result of an earlier request with the same Idempotency-Key. */
  readonly replayed: boolean;
}

export class AppendService {
  constructor(
    private readonly writer: StreamWriter,
    private readonly idempotency: IdempotencyStore,
    private readonly log: (message: string) => void = () => undefined,
    /** Payloads of catalogued event types are checked against it (issue #16). */
    private readonly catalog: EventCatalog = EventCatalog.EMPTY,
  ) {}

  async append(request: AppendRequest, context: CommandContext): Promise<AppendOutcome> {
    // Before anything is claimed or written: a payload that does not fit its catalogued type is a 400.
    const versions = this.checkPayloads(request.events);
    const checked = { ...request, versions };
    return this.appendChecked(checked, context);
  }

  /**
   * The schema version each event is written with: the declared one, else its type's latest (1 for an
   * uncatalogued type).
   * @throws RequestValidationError naming each field (`events.0.data.qty`) that does not fit.
   */
  private checkPayloads(events: readonly AppendEventBody[]): number[] {
    const fields = new Map<string, string[]>();
    const versions = events.map((event, index) => {
      const declared = event.metadata?.schemaVersion;
      const check = checkPayload(this.catalog, event.type, event.data, declared);
      switch (check.kind) {
        case 'uncatalogued':
          return declared ?? 1;
        case 'valid':
          return check.version;
        case 'unknown-version':
          fields.set(`events.${index}.metadata.schemaVersion`, [
            `${event.type} has no version ${check.version} in the event catalog (versions: ${check.known.join(', ')})`,
          ]);
          return check.version;
        case 'invalid':
          for (const [field, messages] of Object.entries(fieldsOf(check.issues)))
            fields.set(
              field === BODY_FIELD ? `events.${index}.data` : `events.${index}.data.${field}`,
              messages.map((message) => `${message} (${event.type} v${check.version}, see prism events)`),
            );
          return check.version;
      }
    });
    if (fields.size > 0) throw new RequestValidationError(Object.fromEntries(fields));
    return versions;
  }

  private async appendChecked(
    request: AppendRequest & { readonly versions: readonly number[] },
    context: CommandContext,
  ): Promise<AppendOutcome> {
    const key = context.idempotency;
    if (key === undefined) return { result: await this.write(request, context), replayed: false };
    const { result, replayed } = await runIdempotently(
      this.idempotency,
      {
        request: {
          key: key.key,
          fingerprint: key.fingerprint,
          commandId: context.commandId,
          aggregateId: request.streamId,
          streamId: request.streamId,
        },
        execute: () => this.write(request, context),
        findEarlier: (attempt) => findEarlierWrite(this.writer, attempt),
      },
      this.log,
    );
    return { result, replayed };
  }

  private async write(
    request: AppendRequest & { readonly versions: readonly number[] },
    context: CommandContext,
  ): Promise<AppendResult> {
    // Untraced (tracing off) unless the request's span was recorded: then `carrier` names the append span.
    const traced = startAppendSpan(context.trace, request.streamId, request.events.length);
    const metadata = {
      correlationId: context.correlationId,
      ...traced.carrier,
      causationId: context.commandId,
      ...(context.userId !== undefined && { userId: context.userId }),
    };
    const events = request.events.map((event, index): EventToAppend => ({
      ...(event.id !== undefined && { id: event.id }),
      type: event.type,
      data: event.data as EventToAppend['data'],
      metadata: { ...metadata, schemaVersion: request.versions[index] ?? 1 },
    }));
    try {
      const result = await this.writer.append(request.streamId, events, request.expected);
      traced.succeeded(result.position, result.revision);
      return result;
    } catch (error) {
      traced.failed(error);
      throw error;
    }
  }
}
