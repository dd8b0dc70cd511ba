/**
 * `prism events [--json] [--catalog file]`: the event catalog (issue #16): every event type the app's
 * aggregates write or the catalog file declares, its latest version, its payload fields and its upcasters.
 * What a projection author reads instead of the aggregates' source.
 */
import type { Command } from 'commander';
import type { JsonSchema } from '../../events-catalog/event-catalog';
import type { EventCatalog } from '../../events-catalog/event-catalog';
import type { CliIo } from '../cli-io';
import { cliEventCatalog } from './event-catalog-support';

export interface EventsOptions {
  readonly json?: boolean;
  readonly catalog?: string;
}

export function runEvents(io: CliIo, options: EventsOptions = {}): number {
  const catalog = cliEventCatalog(io, options.catalog);
  if (!catalog) return 1;
  if (options.json) {
    io.out(JSON.stringify(catalogJson(catalog), null, 2));
    return 0;
  }
  if (catalog.size === 0) {
    io.out('No event types: no aggregates, and no event catalog file (projections/events.catalog.yaml).');
    return 0;
  }
  for (const line of formatEventCatalog(catalog)) io.out(line);
  return 0;
}

/** One block per event type: name and latest version, where it is declared, fields, upcasters. */
export function formatEventCatalog(catalog: EventCatalog): string[] {
  const lines: string[] = [];
  for (const entry of catalog.list()) {
    const where = entry.definedAt === undefined ? entry.origin : `${entry.origin}, ${entry.definedAt}`;
    lines.push(`${entry.type} v${entry.latest}  (${where})`);
    const schema = entry.versions.get(entry.latest)?.schema;
    lines.push(`  data: ${schema ? fieldsSummary(schema) : '(no schema)'}`);
    const older = [...entry.versions.keys()]
      .filter((version) => version !== entry.latest)
      .sort((a, b) => a - b);
    if (older.length > 0) lines.push(`  older versions: ${older.map((version) => `v${version}`).join(', ')}`);
    for (const [from, step] of [...entry.upcasters].sort(([a], [b]) => a - b))
      lines.push(`  upcast v${from}→v${from + 1}: ${step.summary}`);
  }
  lines.push(
    `${catalog.size} event type(s)${catalog.complete ? ', complete catalog (an unlisted type is an error)' : ''}`,
  );
  return lines;
}

/** `{ orderId: string, qty: integer, note?: string }`: the top-level fields, `?` for optional ones. */
function fieldsSummary(schema: JsonSchema): string {
  const properties = schema.properties;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return 'object';
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const fields = Object.entries(properties).map(
    ([name, field]) => `${name}${required.has(name) ? '' : '?'}: ${typeName(field)}`,
  );
  return `{ ${fields.join(', ')} }`;
}

function typeName(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return 'any';
  const { type, items, anyOf, enum: values } = schema as Record<string, unknown>;
  if (Array.isArray(values)) return values.map((value) => JSON.stringify(value)).join(' | ');
  if (Array.isArray(anyOf)) return anyOf.map(typeName).join(' | ');
  if (type === 'array') return `${typeName(items)}[]`;
  if (Array.isArray(type)) return type.join(' | ');
  return typeof type === 'string' ? type : 'any';
}

function catalogJson(catalog: EventCatalog): unknown {
  return {
    complete: catalog.complete,
    events: Object.fromEntries(
      catalog.list().map((entry) => [
        entry.type,
        {
          latest: entry.latest,
          origin: entry.origin,
          versions: Object.fromEntries([...entry.versions].map(([version, { schema }]) => [version, schema])),
          upcast: [...entry.upcasters.values()].map((step) => ({ from: step.from, summary: step.summary })),
        },
      ]),
    ),
  };
}

export function registerEventsCommand(program: Command, io: CliIo): void {
  program
    .command('events')
    .description('list the event catalog: event types, latest versions, payload fields and upcasters')
    .option('--json', "print the catalog as JSON (with each version's JSON Schema)")
    .option(
      '--catalog <file>',
      'event catalog file (default: $PRISM_EVENT_CATALOG or projections/events.catalog.yaml)',
    )
    .action((options: EventsOptions) => {
      process.exitCode = runEvents(io, options);
    });
}
