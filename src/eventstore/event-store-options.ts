/**
 * The event store as the Nest module's options give it (src/nest): an EventStore (or a read-only EventLog)
 * the app made, or settings of one Prism opens. Checked here, beside the adapters, so a bad value fails
 * the start naming the field (`eventStore.url`) rather than at the first append.
 */
import path from 'node:path';
import { z } from 'zod';
import { urlWithScheme } from '../config/env-variable';
import type { EventLog, EventStore } from './event-store.port';
import { type EventStoreSettings, KURRENTDB_SCHEMES } from './event-store.settings';

/** The kinds of log Prism can write to (a `sql-table` log is read-only: an `eventLog`). */
const WRITABLE_KINDS = ['embedded', 'postgres', 'kurrentdb'] as const;

const LOG_METHODS = ['readStream', 'readAll', 'subscribeToAll', 'headPosition', 'close'] as const;

/** Whether `value` is an EventLog: its read methods and a `kind`. */
export function isEventLog(value: unknown): value is EventLog {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.kind === 'string' && LOG_METHODS.every((name) => typeof record[name] === 'function');
}

/** Whether `value` is an EventStore: an EventLog that can also append. */
export function isEventStore(value: unknown): value is EventStore {
  return isEventLog(value) && typeof (value as unknown as Record<string, unknown>).append === 'function';
}

const SCHEMA_NAME = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lowercase SQL identifier (letters, digits, _)');

const SETTINGS = z.discriminatedUnion(
  'kind',
  [
    z
      .object({ kind: z.literal('embedded'), file: z.string().trim().min(1, 'expected a file path') })
      .strict()
      .transform(({ file }) => ({ kind: 'embedded' as const, file: path.resolve(file) })),
    z
      .object({
        kind: z.literal('postgres'),
        url: urlWithScheme(['postgres', 'postgresql']),
        schema: SCHEMA_NAME.default('prism'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('kurrentdb'),
        connectionString: urlWithScheme(KURRENTDB_SCHEMES),
      })
      .strict(),
  ],
  { error: () => `expected \`kind\` to be one of ${WRITABLE_KINDS.join(', ')}` },
);

export interface EventStoreOptionProblem {
  readonly path: string;
  readonly problem: string;
}

/** Reads `eventStore` of the options: an EventStore instance, or settings. */
export function eventStoreOption(
  value: unknown,
):
  | { readonly store: EventStore }
  | { readonly settings: EventStoreSettings }
  | { readonly problems: readonly EventStoreOptionProblem[] } {
  if (isEventStore(value)) return { store: value };
  if (isEventLog(value))
    return {
      problems: [
        {
          path: '',
          problem: 'this log cannot append (it has no `append`); give it as `eventLog` to only read from it',
        },
      ],
    };
  if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'sql-table')
    return {
      problems: [
        {
          path: 'kind',
          problem: 'a sql-table log is read-only (a table another tool writes): give it as `eventLog`',
        },
      ],
    };
  const parsed = SETTINGS.safeParse(value);
  if (parsed.success) return { settings: parsed.data as EventStoreSettings };
  return {
    problems: parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      problem:
        issue.path.length === 0 && (typeof value !== 'object' || value === null)
          ? 'expected an EventStore instance or settings such as `{ kind: "embedded", file: "./data/events.sqlite" }`'
          : issue.message,
    })),
  };
}
