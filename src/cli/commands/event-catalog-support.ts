/**
 * The event catalog the CLI checks definitions against (issue #16): the aggregates of the ready-made
 * server (the example marketplace, where it is there) and the catalog file (`--catalog`, else
 * PRISM_EVENT_CATALOG, else projections/events.catalog.yaml when it exists).
 */
import { relative } from 'node:path';
import { DefinitionValidationError, formatDefinitionError } from '../../dsl/errors/definition-error';
import { loadEventCatalog } from '../../events-catalog/build-catalog';
import { eventCatalogPath } from '../../events-catalog/catalog-location';
import type { EventCatalog } from '../../events-catalog/event-catalog';
import { exampleMarketplace, ExampleNotBuiltError } from '../../example-marketplace';
import type { Aggregate } from '../../aggregates/aggregate.types';
import type { CliIo } from '../cli-io';

/** The catalog, or undefined after printing every problem of the catalog file. */
export function cliEventCatalog(io: CliIo, explicit?: string): EventCatalog | undefined {
  const path = eventCatalogPath(io.cwd, explicit);
  try {
    return loadEventCatalog({
      aggregates: appAggregates(),
      ...(path !== undefined && { path, name: displayPath(io.cwd, path) }),
    });
  } catch (error) {
    if (error instanceof DefinitionValidationError) {
      for (const problem of error.errors) io.out(formatDefinitionError(problem));
      io.err(`✖ the event catalog ${displayPath(io.cwd, path ?? '')} has errors; fix them first`);
      return undefined;
    }
    const failure = error as NodeJS.ErrnoException;
    if (typeof failure.code === 'string' && typeof failure.syscall === 'string') {
      io.err(`Cannot read the event catalog ${displayPath(io.cwd, path ?? '')}: ${failure.code}`);
      return undefined;
    }
    throw error;
  }
}

/** The aggregates of the ready-made server; none where the example is not there (an installed package). */
function appAggregates(): readonly Aggregate[] {
  try {
    return exampleMarketplace();
  } catch (error) {
    if (error instanceof ExampleNotBuiltError) return [];
    throw error;
  }
}

function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel;
}
