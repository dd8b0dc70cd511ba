/**
 * The admin API in the OpenAPI document (issue #20): the JSON each operation answers (admin.dto.ts,
 * cluster-view.ts, the checks' reports) as named component schemas, and each operation's error answers
 * from the error catalog. An operation names its codes (type-checked against the catalog); the status
 * each is answered with comes from the catalog, so the document cannot give a code another status.
 * 401 and 403 (with admin_api_disabled) come from @RequireRole('admin').
 */
import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { catalogEntry, statusOf, type ErrorCode } from '../http/error-catalog';
import { ERROR_BODY_SCHEMA } from '../http/error-catalog.openapi';
import { PROJECTION_STATES } from '../runtime/projection-status';

export type AdminSchemaName =
  | 'ProjectionStatus'
  | 'ProjectionList'
  | 'RebuildStarted'
  | 'ParkedEvent'
  | 'ParkedEventList'
  | 'ParkedResolution'
  | 'ProjectionDrop'
  | 'NodeList'
  | 'VerifyReport'
  | 'VerifyProgress'
  | 'PlanReport'
  | 'ConsoleOverview'
  | 'DefinitionSource'
  | 'GenerationList';

const ref = (name: AdminSchemaName) => ({ $ref: `#/components/schemas/${name}` });
const POSITION: SchemaObject = { type: 'string', pattern: '^[0-9]+$', example: '1042' };
const INSTANT: SchemaObject = { type: 'string', format: 'date-time' };
const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, nullable: true });
const object = (properties: Record<string, SchemaObject | { $ref: string }>, optional: string[] = []) => ({
  type: 'object' as const,
  required: Object.keys(properties).filter((name) => !optional.includes(name)),
  properties,
});
const STORE_ROLE: SchemaObject = { type: 'string', enum: ['event-store', 'view-store'] };
const JSON_OBJECT: SchemaObject = { type: 'object', additionalProperties: true };

const STALL: SchemaObject = object({
  store: STORE_ROLE,
  kind: { type: 'string', description: 'The kind of the store in trouble.' },
  since: INSTANT,
  lastError: { type: 'string' },
});

const GENERATION: SchemaObject = object({
  generation: { type: 'integer' },
  fingerprint: { type: 'string' },
  state: {
    type: 'string',
    enum: PROJECTION_STATES.filter((s) => s !== 'broken-definition' && s !== 'orphaned'),
  },
  checkpoint: POSITION,
  head: POSITION,
  behind: POSITION,
  lagSeconds: nullable({ type: 'number' }),
  eventsPerSecond: { type: 'number' },
  eventsApplied: { type: 'integer' },
  progress: { type: 'number', minimum: 0, maximum: 1 },
  etaSeconds: nullable({ type: 'number' }),
  parked: { type: 'integer' },
  held: { type: 'integer' },
  lastError: nullable(
    object({
      message: { type: 'string' },
      kind: { type: 'string' },
      attempts: { type: 'integer' },
      at: INSTANT,
      store: STORE_ROLE,
    }),
  ),
  stall: nullable(STALL),
});

const PROJECTION_STATUS: SchemaObject = object(
  {
    name: { type: 'string' },
    state: { type: 'string', enum: [...PROJECTION_STATES] },
    // Inline, not a $ref: OpenAPI 3.0 ignores `nullable` beside a $ref.
    live: nullable({ ...GENERATION, description: 'The generation readers see.' }),
    rebuild: nullable({ ...GENERATION, description: 'The generation a rebuild is filling beside it.' }),
    stall: nullable(STALL),
    notes: { type: 'array', items: { type: 'string' } },
    file: { type: 'string', description: '`broken-definition` only: the definition file that was skipped.' },
    errors: { type: 'array', items: { type: 'string' }, description: '`broken-definition` only.' },
    orphaned: {
      type: 'array',
      description: '`orphaned` only: what each view store still holds of it.',
      items: object({
        kind: { type: 'string' },
        activeGeneration: nullable({ type: 'integer' }),
        generations: {
          type: 'array',
          items: object({ generation: { type: 'integer' }, status: { type: 'string' } }),
        },
      }),
    },
    owner: nullable({
      ...object({
        node: { type: 'string' },
        epoch: POSITION,
        since: INSTANT,
        leaseAgeMs: { type: 'integer' },
      }),
      description: 'With several nodes: who holds its lease (null: nobody right now).',
    }),
    reportedAt: { ...INSTANT, description: "Set when the numbers come from the owner's last report." },
  },
  ['file', 'errors', 'orphaned', 'owner', 'reportedAt'],
);

/** The console's row of a projection (src/console/console.dto.ts): a status with its store and history. */
const CONSOLE_PROJECTION: SchemaObject = {
  ...PROJECTION_STATUS,
  required: [...(PROJECTION_STATUS.required ?? []), 'store', 'owner', 'history'],
  properties: {
    ...PROJECTION_STATUS.properties,
    store: nullable({ type: 'string', description: 'The kind of store the view lives in.' }),
    owner: nullable({ type: 'string', description: 'The id of the node running it.' }),
    history: {
      type: 'array',
      items: object({
        at: { type: 'integer', description: 'Milliseconds since the epoch.' },
        behind: { type: 'integer' },
        lagSeconds: nullable({ type: 'number' }),
        eventsPerSecond: { type: 'number' },
      }),
    },
  },
};

const STORED_EVENT: SchemaObject = object({
  id: { type: 'string' },
  streamId: { type: 'string' },
  revision: { type: 'integer' },
  position: POSITION,
  type: { type: 'string' },
  data: JSON_OBJECT,
  metadata: JSON_OBJECT,
});

const PARKED_EVENT: SchemaObject = object({
  position: POSITION,
  generation: { type: 'integer' },
  status: { type: 'string', enum: ['parked', 'held'] },
  reason: { type: 'string' },
  parkedAt: INSTANT,
  streamId: { type: 'string' },
  eventType: { type: 'string' },
  keys: { type: 'array', items: { type: 'string' } },
  event: STORED_EVENT,
});

const ENTRY_DIFFERENCE: SchemaObject = object({
  key: { type: 'string' },
  kind: { type: 'string', enum: ['only-live', 'only-rebuilt', 'different'] },
  fields: { type: 'array', items: JSON_OBJECT },
  live: nullable(JSON_OBJECT),
  rebuilt: nullable(JSON_OBJECT),
});

/** Every schema the admin operations answer with, by component name. */
const ADMIN_SCHEMAS = {
  ProjectionStatus: PROJECTION_STATUS,
  ProjectionList: object({ projections: { type: 'array', items: ref('ProjectionStatus') } }),
  RebuildStarted: object({
    projection: { type: 'string' },
    generation: { type: 'integer' },
    from: POSITION,
    alreadyBuilding: { type: 'boolean' },
    message: { type: 'string' },
  }),
  ParkedEvent: PARKED_EVENT,
  ParkedEventList: object({
    projection: { type: 'string' },
    parked: { type: 'array', items: ref('ParkedEvent') },
  }),
  ParkedResolution: object(
    {
      projection: { type: 'string' },
      position: POSITION,
      result: { type: 'string', enum: ['replayed', 'discarded', 'still-parked'] },
      released: { type: 'integer' },
      reason: { type: 'string', description: 'With still-parked: why the replay failed again.' },
    },
    ['reason'],
  ),
  ProjectionDrop: object({
    projection: { type: 'string' },
    dryRun: { type: 'boolean' },
    stores: {
      type: 'array',
      items: object({
        kind: { type: 'string' },
        readNames: { type: 'array', items: { type: 'string' } },
        generations: {
          type: 'array',
          items: object({
            generation: { type: 'integer' },
            status: { type: 'string' },
            physical: { type: 'array', items: { type: 'string' } },
          }),
        },
      }),
    },
    message: { type: 'string' },
  }),
  NodeList: object({
    coordination: { type: 'string' },
    nodes: {
      type: 'array',
      items: object(
        {
          id: { type: 'string' },
          role: { type: 'string' },
          version: { type: 'string' },
          startedAt: INSTANT,
          heartbeatAt: INSTANT,
          heartbeatAgeMs: { type: 'integer' },
          alive: { type: 'boolean' },
          self: { type: 'boolean' },
          definitions: { type: 'object', additionalProperties: { type: 'string' } },
          leases: {
            type: 'array',
            items: object({
              projection: { type: 'string' },
              epoch: POSITION,
              since: INSTANT,
              ageMs: { type: 'integer' },
              expiresInMs: { type: 'integer' },
            }),
          },
        },
        ['definitions'],
      ),
    },
  }),
  VerifyReport: object({
    projection: { type: 'string' },
    generation: { type: 'integer' },
    fingerprint: { type: 'string' },
    recompiled: { type: 'boolean' },
    checkpoint: POSITION,
    eventsFolded: { type: 'integer' },
    eventsSetAside: { type: 'integer' },
    resolutionsRedone: { type: 'integer' },
    liveEntries: { type: 'integer' },
    rebuiltEntries: { type: 'integer' },
    counts: object({
      onlyLive: { type: 'integer' },
      onlyRebuilt: { type: 'integer' },
      different: { type: 'integer' },
    }),
    total: { type: 'integer' },
    differences: { type: 'array', items: ENTRY_DIFFERENCE },
    rounds: { type: 'integer' },
    settled: { type: 'boolean' },
    paused: { type: 'boolean' },
    durationMs: { type: 'number' },
  }),
  VerifyProgress: object({
    phase: { type: 'string' },
    startedAt: INSTANT,
    eventsFolded: { type: 'integer' },
    position: POSITION,
    upTo: POSITION,
    scanned: { type: 'integer' },
  }),
  PlanReport: object({
    projection: { type: 'string' },
    file: { type: 'string' },
    action: { type: 'string', enum: ['none', 'rebuild', 'backfill'] },
    reason: { type: 'string' },
    activeGeneration: nullable({ type: 'integer' }),
    fingerprint: object({ active: nullable({ type: 'string' }), new: { type: 'string' } }),
    replay: object({
      events: { type: 'integer' },
      byType: { type: 'object', additionalProperties: { type: 'integer' } },
      approximate: { type: 'boolean' },
      head: POSITION,
    }),
    estimate: object({
      seconds: { type: 'number' },
      eventsPerSecond: { type: 'number' },
      rate: { type: 'string', enum: ['live', 'default'] },
    }),
    shapeChanges: {
      type: 'array',
      items: object(
        {
          change: { type: 'string', enum: ['added', 'removed', 'changed'] },
          what: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
        },
        ['from', 'to'],
      ),
    },
    sample: { ...JSON_OBJECT, description: 'The sample diff: streams, events, counts, differences.' },
    warnings: { type: 'array', items: { type: 'string' } },
  }),
  ConsoleOverview: object({
    at: INSTANT,
    sampleEverySeconds: { type: 'number' },
    projections: { type: 'array', items: CONSOLE_PROJECTION },
    broken: {
      type: 'array',
      items: object(
        {
          file: { type: 'string' },
          name: { type: 'string' },
          errors: { type: 'array', items: { type: 'string' } },
        },
        ['name'],
      ),
    },
  }),
  DefinitionSource: object({
    projection: { type: 'string' },
    store: { type: 'string' },
    fingerprint: { type: 'string' },
    file: nullable({ type: 'string' }),
    source: nullable({ type: 'string' }),
    fileMatchesRunning: { type: 'boolean' },
    fileProblems: { type: 'array', items: { type: 'string' } },
    running: nullable({ type: 'string', description: 'The normalized definition that runs, as YAML.' }),
  }),
  GenerationList: object({
    projection: { type: 'string' },
    generations: {
      type: 'array',
      items: object({
        generation: { type: 'integer' },
        status: { type: 'string', enum: ['building', 'active', 'retired'] },
        fingerprint: { type: 'string' },
        createdAt: INSTANT,
      }),
    },
  }),
} satisfies Record<AdminSchemaName, SchemaObject>;

/** Adds the admin schemas to the document's components (the operations refer to them by name). */
export function addAdminSchemas(document: OpenAPIObject): void {
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, ...ADMIN_SCHEMAS };
}

/** The codes a forwarded operation adds (another node runs the projection; admin-forwarding.ts). */
export const FORWARDING_CODES = [
  'projection_not_owned',
  'coordination_unavailable',
  'admin_request_timeout',
  'admin_request_abandoned',
  'admin_request_failed',
] as const satisfies readonly ErrorCode[];

export interface AdminOperationOptions {
  readonly summary: string;
  readonly description?: string;
  /** The success status and the component schema of its body. */
  readonly ok: { readonly status: 200 | 202; readonly schema: AdminSchemaName };
  /** Every code the operation answers besides the auth ones (which @RequireRole documents). */
  readonly errors: readonly ErrorCode[];
}

/** Summary, success body and one error response per status, each listing its codes. */
export function AdminOperation({ summary, description, ok, errors }: AdminOperationOptions): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary, ...(description !== undefined && { description }) }),
    ApiResponse({ status: ok.status, description: 'Done.', schema: ref(ok.schema) }),
    ...errorResponses(errors).map((response) => ApiResponse(response)),
  );
}

/** One response per status, its description listing the codes with what each means. */
export function errorResponses(codes: readonly ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
  return [...byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, list]) => ({
      status,
      description: list.map((code) => `\`${code}\`: ${catalogEntry(code)!.meaning}`).join(' '),
      // No enum on `error`: any route can also answer the catalog's generic codes (malformed_request...).
      schema: ERROR_BODY_SCHEMA,
    }));
}
