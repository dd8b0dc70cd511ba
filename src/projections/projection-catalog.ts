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
  /**
   * The definition files that were skipped because they have errors (issue #12: a broken file is shown in
   * status, the admin API and health, not only logged). `name` is the projection name when it could be read.
   */
  readonly broken: readonly BrokenDefinition[];
}

export interface BrokenDefinition {
  readonly file: string;
  readonly name?: string;
  /** Every error of the file, formatted as `file:line:col: message`. */
  readonly errors: readonly string[];
}

export function loadProjectionCatalog(folder: string): ProjectionCatalog {
  const check = checkDefinitions([folder]);
  const errorFiles = new Set(
    check.problems.filter((p: DefinitionError) => p.severity === 'error').map((p: DefinitionError) => p.file),
  );
  const broken = [...errorFiles].map((file) => ({
    file,
    errors: check.problems
      .filter((p: DefinitionError) => p.file === file && p.severity === 'error')
      .map(formatDefinitionError),
  }));
  return {
    projections: check.definitions.map(compileProjection),
    problems: check.problems.map(formatDefinitionError),
    invalidFiles: errorFiles.size,
    broken,
  };
}
