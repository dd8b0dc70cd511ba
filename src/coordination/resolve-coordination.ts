/**
 * The options of issue #15 (`role`, `coordination`, `node`): which kind of process this is, where nodes
 * share leases, node announcements and admin requests, and this node's id and lease timings. Checked with
 * the rest of PrismOptions (resolve-options.ts), so a role that cannot work fails the start with a message
 * naming the option.
 *
 * The coordination store, when not given, is derived from the stores Prism already has, so nothing new
 * needs configuring: PostgreSQL when a view store or the event store is PostgreSQL (the view store's pool
 * and schema first: that is where the checkpoints the leases protect live), KurrentDB when the event store
 * is KurrentDB, else an in-process store, which only one process can use (roles other than `all` are
 * refused with it).
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { type CoordinationStore, PRISM_ROLES, type PrismRole } from './coordination.port';
import type { CoordinationSettings } from './coordination-store.factory';
import type { EventSource } from '../nest/prism-config';
import type { PrismNodeOptions, PrismOptions } from '../nest/prism-options';
import type { OptionProblem } from '../nest/resolve-options';

/** The defaults of `node`: a dead owner's projections are taken over within leaseTtl + pollEvery (7 s). */
export const NODE_DEFAULTS = {
  leaseTtlMs: 6_000,
  pollEveryMs: 1_000,
  /** How long an admin request sent to another node's projection waits for its outcome. */
  adminWaitMs: 30_000,
} as const;

/** Where the coordination store comes from: given (never closed by Prism), or settings Prism opens. */
export type CoordinationSource =
  | { readonly kind: 'store'; readonly store: CoordinationStore }
  | {
      readonly kind: 'settings';
      readonly settings: CoordinationSettings;
      /** How it was chosen, for the start-up banner and the refusal (`the relational view store's PostgreSQL`). */
      readonly from: string;
    };

export interface ResolvedNode {
  readonly id: string;
  readonly leaseTtlMs: number;
  /** Renewal period of leases and heartbeats (a third of the TTL unless given). */
  readonly renewEveryMs: number;
  /** How often a standby looks for free leases. */
  readonly pollEveryMs: number;
  /** How long a node's announcement lives without a heartbeat (the lease TTL unless given). */
  readonly heartbeatTtlMs: number;
  readonly adminWaitMs: number;
}

export interface ResolvedCoordination {
  readonly role: PrismRole;
  readonly coordination: CoordinationSource;
  readonly node: ResolvedNode;
}

const milliseconds = (min: number, max: number) =>
  z
    .number({ message: 'expected a number of milliseconds' })
    .int('expected an integer')
    .min(min, `expected ${min}..${max}`)
    .max(max, `expected ${min}..${max}`);

/** A node id: printable, no spaces, so it reads well in logs, status and `prism nodes`. */
const NODE_ID = z
  .string({ message: 'expected a string' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'expected 1-128 letters, digits, ".", "_", ":", "@" or "-"');

const NODE = z
  .object({
    id: NODE_ID.optional(),
    leaseTtlMs: milliseconds(1_000, 600_000).optional(),
    renewEveryMs: milliseconds(100, 300_000).optional(),
    pollEveryMs: milliseconds(50, 60_000).optional(),
    heartbeatTtlMs: milliseconds(1_000, 600_000).optional(),
    adminWaitMs: milliseconds(1_000, 600_000).optional(),
  })
  .strict()
  .default({});

const COORDINATION_METHODS = ['acquire', 'renew', 'release', 'heartbeat', 'listNodes', 'submit', 'close'];

/** The default node id: the host name and the process id, unique per process on one host. */
export function defaultNodeId(): string {
  return `${hostname()}-${process.pid}`;
}

/** Reads `role`, `coordination` and `node`; problems go to `problems`, each naming its option. */
export function resolveCoordination(
  options: Pick<PrismOptions, 'role' | 'coordination' | 'node' | 'viewStores'>,
  events: EventSource | undefined,
  viewStores: Readonly<Record<string, unknown>>,
  problems: OptionProblem[],
  roleBeside?: PrismRole,
): ResolvedCoordination {
  const role = roleOf(options.role ?? roleBeside, problems);
  const node = nodeOf(options.node, problems);
  const coordination = coordinationOf(options.coordination, events, viewStores, problems);
  const shared =
    coordination.kind === 'store' ? coordination.store.shared : coordination.settings.kind !== 'in-process';
  if (role !== 'all' && !shared)
    problems.push({
      option: 'role',
      problem:
        `roles need a shared store: PostgreSQL or KurrentDB. Role "${role}" runs beside other Prism processes, ` +
        `which must share leases and admin requests, but the coordination store is ${
          coordination.kind === 'store'
            ? `a "${coordination.store.kind}" store one process uses alone`
            : coordination.from
        }; configure PostgreSQL (PRISM_PG_URL, or a PostgreSQL view store or event store) or KurrentDB, or give ` +
        '`coordination`, or run with role "all"',
    });
  return { role, coordination, node };
}

function roleOf(value: unknown, problems: OptionProblem[]): PrismRole {
  if (value === undefined) return 'all';
  if (typeof value === 'string' && (PRISM_ROLES as readonly string[]).includes(value))
    return value as PrismRole;
  problems.push({
    option: 'role',
    problem: `expected one of ${PRISM_ROLES.join(', ')} (all: everything in one process; api: commands, queries, admin; worker: projections)`,
  });
  return 'all';
}

function nodeOf(value: PrismNodeOptions | undefined, problems: OptionProblem[]): ResolvedNode {
  const parsed = NODE.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push({ option: ['node', ...issue.path.map(String)].join('.'), problem: issue.message });
    return nodeWithDefaults({});
  }
  const node = nodeWithDefaults(parsed.data);
  // At least two renewals per TTL, so one late or lost renewal does not cost a healthy node its leases.
  if (node.renewEveryMs * 2 > node.leaseTtlMs)
    problems.push({
      option: 'node.renewEveryMs',
      problem: `must be at most half of node.leaseTtlMs (${node.leaseTtlMs} ms), so one late renewal does not cost a lease; a third of it is usual`,
    });
  else if (node.renewEveryMs * 2 > node.heartbeatTtlMs)
    problems.push({
      option: 'node.heartbeatTtlMs',
      problem: `must be at least twice node.renewEveryMs (${node.renewEveryMs} ms): the node heartbeats with its renewals`,
    });
  return node;
}

function nodeWithDefaults(given: z.output<typeof NODE>): ResolvedNode {
  const leaseTtlMs = given.leaseTtlMs ?? NODE_DEFAULTS.leaseTtlMs;
  return {
    id: given.id ?? defaultNodeId(),
    leaseTtlMs,
    renewEveryMs: given.renewEveryMs ?? Math.max(100, Math.floor(leaseTtlMs / 3)),
    pollEveryMs: given.pollEveryMs ?? Math.min(NODE_DEFAULTS.pollEveryMs, leaseTtlMs),
    heartbeatTtlMs: given.heartbeatTtlMs ?? leaseTtlMs,
    adminWaitMs: given.adminWaitMs ?? NODE_DEFAULTS.adminWaitMs,
  };
}

function coordinationOf(
  value: PrismOptions['coordination'],
  events: EventSource | undefined,
  viewStores: Readonly<Record<string, unknown>>,
  problems: OptionProblem[],
): CoordinationSource {
  if (value === undefined) return derivedCoordination(events, viewStores);
  if (isCoordinationStore(value)) return { kind: 'store', store: value };
  const settings = COORDINATION_SETTINGS.safeParse(value);
  if (settings.success)
    return { kind: 'settings', settings: settings.data, from: 'the `coordination` option' };
  for (const issue of settings.error.issues)
    problems.push({
      option: ['coordination', ...issue.path.map(String)].join('.'),
      problem: issue.message,
    });
  return { kind: 'settings', settings: { kind: 'in-process' }, from: 'the `coordination` option' };
}

const SCHEMA_NAME = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lowercase SQL identifier (letters, digits, _)');

const COORDINATION_SETTINGS = z.discriminatedUnion(
  'kind',
  [
    z
      .object({
        kind: z.literal('postgres'),
        pool: z
          .custom<object>((pool) => hasMethods(pool, ['query', 'connect']), {
            message: 'expected a pg Pool (`new Pool(...)` from the "pg" package)',
          })
          .optional(),
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
          .optional(),
        schema: SCHEMA_NAME.default('prism'),
      })
      .strict()
      .refine((value) => (value.pool === undefined) !== (value.url === undefined), {
        message: 'give either `pool` or `url`',
      }),
    z.object({ kind: z.literal('kurrentdb'), connectionString: z.string().min(1) }).strict(),
    z.object({ kind: z.literal('in-process') }).strict(),
  ],
  {
    error: () =>
      'expected a CoordinationStore, or settings with `kind` postgres ({ pool | url, schema }), kurrentdb ({ connectionString }) or in-process',
  },
) as unknown as z.ZodType<CoordinationSettings>;

function isCoordinationStore(value: unknown): value is CoordinationStore {
  return (
    hasMethods(value, COORDINATION_METHODS) && typeof (value as { shared?: unknown }).shared === 'boolean'
  );
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    methods.every((name) => typeof (value as Record<string, unknown>)[name] === 'function')
  );
}

/**
 * The coordination store derived from the stores already configured. Store-agnostic on purpose: any view
 * store whose settings are a PostgreSQL pool or URL with a schema (the relational store's) qualifies.
 */
export function derivedCoordination(
  events: EventSource | undefined,
  viewStores: Readonly<Record<string, unknown>>,
): CoordinationSource {
  for (const [kind, settings] of Object.entries(viewStores)) {
    const postgres = postgresOf(settings);
    if (postgres !== undefined)
      return { kind: 'settings', settings: postgres, from: `the ${kind} view store's PostgreSQL` };
  }
  if (events?.kind === 'settings') {
    const postgres = postgresOf(events.settings);
    if (postgres !== undefined)
      return { kind: 'settings', settings: postgres, from: "the event store's PostgreSQL" };
    if (events.settings.kind === 'kurrentdb')
      return {
        kind: 'settings',
        settings: { kind: 'kurrentdb', connectionString: events.settings.connectionString },
        from: "the event store's KurrentDB",
      };
  }
  return {
    kind: 'settings',
    settings: { kind: 'in-process' },
    from: 'an in-process store (no PostgreSQL or KurrentDB is configured)',
  };
}

function postgresOf(settings: unknown): CoordinationSettings | undefined {
  if (typeof settings !== 'object' || settings === null) return undefined;
  const { kind, pool, url, schema } = settings as Record<string, unknown>;
  if (kind !== 'postgres' || typeof schema !== 'string') return undefined;
  if (typeof url === 'string') return { kind: 'postgres', url, schema };
  if (hasMethods(pool, ['query', 'connect'])) return { kind: 'postgres', pool: pool as never, schema };
  return undefined;
}
