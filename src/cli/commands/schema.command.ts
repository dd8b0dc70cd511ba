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
} from '../../dsl/model/definition-json-schema';
import type { CliIo } from '../cli-io';

export interface SchemaOptions {
  readonly out: string;
  readonly testOut: string;
}

export function runSchema(options: SchemaOptions, io: CliIo): number {
  for (const [file, schema] of [
    [options.out, definitionJsonSchema()],
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
    .action((options: SchemaOptions) => {
      process.exitCode = runSchema(options, io);
    });
}
