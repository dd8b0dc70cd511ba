/**
 * Loads the projection definitions the app runs: YAML files (folders and single files) and definitions
 * written with the TypeScript builder (issue #14). A broken definition does not stop the others: its
 * errors are reported (file:line:column, all of them) and the valid definitions run. Nothing a definition
 * holds makes this throw (issue #12, item 2): YAML-level problems, encodings, oversized files and
 * unreadable files are all DefinitionErrors of that file.
 */
import type { CompiledProjection } from '../core/plan';
import { compileProjection, formatDefinitionError, type DefinitionError } from '../dsl';
import { checkDefinitions, type WrittenSource } from '../dsl/loader/definition.loader';
import type { EventCatalog } from '../events-catalog/event-catalog';

/**
 * Injection token of the event types the app's aggregates write (a ReadonlySet<string>, provided by
 * PrismAggregatesModule.forRoot): a definition reading another type gets a warning (`unknown-event-type`),
 * since events may also come from other services through the streams API.
 */
export const KNOWN_EVENT_TYPES = Symbol('KNOWN_EVENT_TYPES');

/**
 * Injection token of the app's EventCatalog (src/events-catalog, issue #16), provided by PrismModule: the
 * aggregates' events and the catalog file. Definitions are typed against it, plans upcast with it and the
 * append route validates payloads with it.
 */
export const EVENT_CATALOG = Symbol('EVENT_CATALOG');

/** Where the app's definitions come from. */
export interface ProjectionSources {
  /** Folders (read recursively: every `*.yaml` but `*.test.yaml`) and files of YAML definitions. */
  readonly paths: readonly string[];
  /** Definitions written with the TypeScript builder, as data (`toWritten()`), each named by its origin. */
  readonly definitions: readonly WrittenSource[];
  /** Event types the app's own writers produce; a definition reading another one gets a warning. */
  readonly knownEventTypes?: ReadonlySet<string>;
  /** The event catalog file (absolute path), read with the aggregates into the EventCatalog. */
  readonly eventCatalog?: string;
  /** The app's event catalog: typed `event.data`, upcasting, known types (issue #16). */
  readonly catalog?: EventCatalog;
}

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

export function loadProjectionCatalog(sources: ProjectionSources): ProjectionCatalog {
  const check = checkDefinitions(sources.paths, process.cwd(), {
    ...(sources.knownEventTypes !== undefined && { knownEventTypes: sources.knownEventTypes }),
    ...(sources.catalog !== undefined && sources.catalog.size > 0 && { catalog: sources.catalog }),
    written: sources.definitions,
  });
  const problems: DefinitionError[] = [...check.problems];
  const projections: CompiledProjection[] = [];
  for (const definition of check.definitions) {
    try {
      projections.push(compileProjection(definition));
    } catch (error) {
      // A definition that validated but does not compile is a bug; it must still not stop the others.
      problems.push({
        code: 'internal-error',
        severity: 'error',
        file: definition.origin,
        line: 1,
        column: 1,
        path: '',
        message: `compiling this definition failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
        suggestion: 'this is a bug in Prism; please report it with the file',
      });
    }
  }
  const errorFiles = new Set(problems.filter((p) => p.severity === 'error').map((p) => p.file));
  const broken = [...errorFiles].map((file) => {
    const name = check.names.get(file);
    return {
      file,
      ...(name === undefined ? {} : { name }),
      errors: problems.filter((p) => p.file === file && p.severity === 'error').map(formatDefinitionError),
    };
  });
  return {
    projections,
    problems: problems.map(formatDefinitionError),
    invalidFiles: errorFiles.size,
    broken,
  };
}
