/** `prism schema [--out file] [--test-out file]`: writes the JSON Schemas editors use for the YAML files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  DEFINITION_SCHEMA_FILE,
  definitionJsonSchema,
  projectionTestJsonSchema,
  renderJsonSchema,
  TEST_SCHEMA_FILE,
  withEventTypes,
} from '../../dsl/model/definition-json-schema';
import type { CliIo } from '../cli-io';
import { cliEventCatalog } from './event-catalog-support';

export interface SchemaOptions {
  readonly out: string;
  readonly testOut: string;
  /** Offer the event catalog's types for completion (issue #16); the packaged schema has none. */
  readonly events?: boolean;
  readonly catalog?: string;
}

export function runSchema(options: SchemaOptions, io: CliIo): number {
  let definition = definitionJsonSchema();
  if (options.events) {
    const catalog = cliEventCatalog(io, options.catalog);
    if (!catalog) return 1;
    definition = withEventTypes(definition, [...catalog.types()].sort());
  }
  for (const [file, schema] of [
    [options.out, definition],
    [options.testOut, projectionTestJsonSchema()],
  ] as const) {
    const path = resolve(io.cwd, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, renderJsonSchema(schema));
    io.out(`wrote ${file}`);
  }
  return 0;
}

export function registerSchemaCommand(program: Command, io: CliIo): void {
  program
    .command('schema')
    .description('write the JSON Schemas of definition and test files (for editor completion)')
    .option('--out <file>', 'definition schema file', DEFINITION_SCHEMA_FILE)
    .option('--test-out <file>', 'projection test schema file', TEST_SCHEMA_FILE)
    .option('--events', "complete event names from the event catalog (the app's aggregates and catalog file)")
    .option(
      '--catalog <file>',
      'event catalog file (default: $PRISM_EVENT_CATALOG or projections/events.catalog.yaml)',
    )
    .action((options: SchemaOptions) => {
      process.exitCode = runSchema(options, io);
    });
}
