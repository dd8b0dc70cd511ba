/**
 * Loads the projection definitions the app runs from a folder. A broken definition file does not stop
 * the others: its errors are reported (file:line:column, all of them) and the valid definitions run.
 */
import type { CompiledProjection } from '../core/plan';
import { compileProjection, formatDefinitionError, type DefinitionError } from '../dsl';
import { checkDefinitions } from '../dsl/loader/definition.loader';

export interface ProjectionCatalog {
  readonly projections: readonly CompiledProjection[];
  /** Every error and warning found in the folder, formatted for a log. */
  readonly problems: readonly string[];
  readonly invalidFiles: number;
}

export function loadProjectionCatalog(folder: string): ProjectionCatalog {
  const check = checkDefinitions([folder]);
  const errorFiles = new Set(
    check.problems.filter((p: DefinitionError) => p.severity === 'error').map((p: DefinitionError) => p.file),
  );
  return {
    projections: check.definitions.map(compileProjection),
    problems: check.problems.map(formatDefinitionError),
    invalidFiles: errorFiles.size,
  };
}
