/**
 * Loading definitions from YAML: one text, one file, or folders of them. Every problem of every file is
 * collected; cross-file checks (a projection name or a target table/index used twice) run over the folder.
 * File access is synchronous: definitions are read once at start-up, and Jest must know the data tests'
 * cases while it collects them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { CompiledProjection } from '../../core/plan';
import { compileProjection } from '../compiler/projection.compiler';
import {
  DefinitionValidationError,
  hasErrors,
  sortDefinitionErrors,
  type DefinitionError,
} from '../errors/definition-error';
import { isEventCatalogFile } from '../../events-catalog/catalog-location';
import type { EventCatalog } from '../../events-catalog/event-catalog';
import { storeModuleOfKind } from '../model/store-sections';
import { decodeDefinitionBytes, fileSizeError } from '../source/definition-bytes';
import { parseYamlSource } from '../source/yaml-source.parser';
import { codeLocator, type SourceLocator } from '../source/source-locator';
import { unknownEventTypes } from '../validation/event-catalog';
import {
  validateDefinition,
  type CheckedDefinition,
  type DefinitionCheck,
} from '../validation/definition.validator';
import { isPlainObject } from '../validation/schema-issues';

/**
 * A projection definition file: `*.yaml` / `*.yml`, but not a data test (`*.test.yaml`) nor an event
 * catalog (`*.catalog.yaml`, src/events-catalog).
 */
export function isDefinitionFile(path: string): boolean {
  return /\.ya?ml$/.test(path) && !/\.test\.ya?ml$/.test(path) && !isEventCatalogFile(path);
}

export function isProjectionTestFile(path: string): boolean {
  return /\.test\.ya?ml$/.test(path);
}

export interface SourceCheck extends DefinitionCheck {
  readonly locator: SourceLocator;
  /** The parsed YAML value, even when invalid (cross-file checks read its name and target). */
  readonly value: unknown;
}

export interface CheckOptions {
  /**
   * Event types some known catalog produces (the app's aggregates); a `source.events` entry outside it is
   * a warning (issue #12: other services may append events Prism has no catalog for). Absent: no check.
   */
  readonly knownEventTypes?: ReadonlySet<string>;
  /**
   * The event catalog (issue #16): its types are known too, `event.data` is typed per handler event, a
   * complete catalog makes an unknown `source.events` entry an error, and compiled plans upcast with it.
   */
  readonly catalog?: EventCatalog;
}

/** A definition given as data (the builder's written form); `origin` stands for its file in messages. */
export interface WrittenSource {
  readonly origin: string;
  readonly value: unknown;
}

/** Checks one YAML text. `file` is only used in messages. */
export function checkDefinitionSource(text: string, file: string, options: CheckOptions = {}): SourceCheck {
  const tooLarge = fileSizeError(Buffer.byteLength(text, 'utf8'), file);
  if (tooLarge) return { problems: [tooLarge], locator: codeLocator(file), value: undefined };
  const parsed = parseYamlSource(text, file);
  if (parsed.value === undefined)
    return { problems: parsed.errors, locator: parsed.locator, value: undefined };
  return checkDefinitionValue(parsed.value, parsed.locator, parsed.errors, options);
}

/**
 * Checks a definition given as data rather than as a file: what the TypeScript builder's `toWritten()`
 * returns (issue #14: builder definitions run in the server too). `origin` names it in messages.
 */
export function checkWrittenDefinition(
  value: unknown,
  origin: string,
  options: CheckOptions = {},
): SourceCheck {
  return checkDefinitionValue(value, codeLocator(origin), [], options);
}

function checkDefinitionValue(
  value: unknown,
  locator: SourceLocator,
  earlier: readonly DefinitionError[],
  options: CheckOptions,
): SourceCheck {
  const check = validateDefinition(value, locator, options.catalog ? { catalog: options.catalog } : {});
  // an oversized definition was not checked further; a warning per event type would bury its error
  const oversized = check.problems.some((problem) => problem.code === 'limit-exceeded');
  const known = knownTypes(options);
  const catalog =
    known && !oversized ? unknownEventTypes(value, locator, known, options.catalog?.complete === true) : [];
  const problems = sortDefinitionErrors([...earlier, ...check.problems, ...catalog]);
  if (hasErrors(earlier) || !check.checked || hasErrors(catalog)) return { problems, locator, value };
  const checked = {
    ...check.checked,
    warnings: sortDefinitionErrors([...check.checked.warnings, ...catalog]),
  };
  return { checked, problems, locator, value };
}

/** The event types known from the options: the listed ones and the catalog's; undefined when none is given. */
function knownTypes(options: CheckOptions): ReadonlySet<string> | undefined {
  const { knownEventTypes, catalog } = options;
  if (!catalog || catalog.size === 0) return knownEventTypes;
  return new Set([...(knownEventTypes ?? []), ...catalog.types()]);
}

/**
 * Checks one definition file: its size before reading it, its encoding, then its text. Whatever goes
 * wrong is a DefinitionError of that file, never an exception: one broken file must not stop the app from
 * running the others (issue #12, item 2).
 */
export function checkDefinitionFile(path: string, file: string, options: CheckOptions = {}): SourceCheck {
  const failed = (problem: DefinitionError): SourceCheck => ({
    problems: [problem],
    locator: codeLocator(file),
    value: undefined,
  });
  try {
    const tooLarge = fileSizeError(statSync(path).size, file);
    if (tooLarge) return failed(tooLarge);
    const decoded = decodeDefinitionBytes(readFileSync(path), file);
    if (decoded.text === undefined)
      return { problems: decoded.errors, locator: codeLocator(file), value: undefined };
    return checkDefinitionSource(decoded.text, file, options);
  } catch (error) {
    const io = error as NodeJS.ErrnoException;
    if (typeof io.code === 'string' && typeof io.syscall === 'string') {
      return failed(fileProblem('file-unreadable', file, `cannot read the file: ${io.code} (${io.syscall})`));
    }
    return failed(
      fileProblem(
        'internal-error',
        file,
        `checking this file failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
        'this is a bug in Prism; please report it with the file',
      ),
    );
  }
}

function fileProblem(
  code: 'file-unreadable' | 'internal-error',
  file: string,
  message: string,
  suggestion?: string,
): DefinitionError {
  return {
    code,
    severity: 'error',
    file,
    line: 1,
    column: 1,
    path: '',
    message,
    ...(suggestion === undefined ? {} : { suggestion }),
  };
}

export interface FolderCheck {
  /** Every definition file found, in the order checked. */
  readonly files: readonly string[];
  /** Definitions without errors (warnings allowed), in file order. */
  readonly definitions: readonly CheckedDefinition[];
  /** Every problem of every file, in file order. */
  readonly problems: readonly DefinitionError[];
  /** The projection name of each file whose name could be read (broken files included). */
  readonly names: ReadonlyMap<string, string>;
}

/**
 * Checks definition files and folders (folders recursively: every `*.yaml` that is not a `*.test.yaml`),
 * and definitions given as data after them (`written`), all together: cross-file checks (a name or a
 * table used twice) span both. Paths are reported as given, relative to `cwd` when they are inside it.
 */
export function checkDefinitions(
  paths: readonly string[],
  cwd = process.cwd(),
  options: CheckOptions & { readonly written?: readonly WrittenSource[] } = {},
): FolderCheck {
  const files = findFiles(
    paths.map((path) => resolve(cwd, path)),
    isDefinitionFile,
  );
  const results: { file: string; check: SourceCheck }[] = [];
  for (const file of files) {
    const display = displayPath(file, cwd);
    results.push({ file: display, check: checkDefinitionFile(file, display, options) });
  }
  for (const { origin, value } of options.written ?? [])
    results.push({ file: origin, check: checkWrittenDefinition(value, origin, options) });
  const problems: DefinitionError[] = results.flatMap(({ check }) => check.problems);
  problems.push(...crossFileProblems(results.map(({ check }) => check)));
  const failing = new Set(
    problems.filter((problem) => problem.severity === 'error').map((problem) => problem.file),
  );
  return {
    files: results.map(({ file }) => file),
    definitions: results.flatMap(({ file, check }) =>
      check.checked && !failing.has(file) ? [check.checked] : [],
    ),
    problems: sortDefinitionErrors(problems),
    names: new Map(
      results.flatMap(({ file, check }) =>
        isPlainObject(check.value) && typeof check.value.name === 'string'
          ? [[file, check.value.name] as const]
          : [],
      ),
    ),
  };
}

/**
 * Loads and compiles every definition under `paths`.
 * @throws DefinitionValidationError listing every error of every file when any file has one.
 */
export function loadProjections(
  paths: readonly string[],
  cwd = process.cwd(),
  options: CheckOptions = {},
): CompiledProjection[] {
  const check = checkDefinitions(paths, cwd, options);
  if (hasErrors(check.problems)) throw new DefinitionValidationError(check.problems);
  return check.definitions.map(compileProjection);
}

/** Two definitions in one folder may not share a name, nor write the same table, index or graph. */
function crossFileProblems(checks: readonly SourceCheck[]): DefinitionError[] {
  const problems: DefinitionError[] = [];
  const names = new Map<string, SourceCheck>();
  const targets = new Map<string, SourceCheck>();
  for (const check of checks) {
    if (!isPlainObject(check.value)) continue;
    const { name, target } = check.value;
    if (typeof name === 'string') {
      // `orders-x` and `orders_x` share physical names in the stores (graph labels are namespaced with
      // `orders_x`), so they collide as surely as two equal names (issue #12, item 8).
      const storeName = name.replace(/-/g, '_');
      const first = names.get(storeName);
      const firstName = isPlainObject(first?.value) ? String(first.value.name) : name;
      if (first)
        problems.push(
          duplicate(
            check,
            ['name'],
            'duplicate-name',
            firstName === name
              ? `projection name "${name}" is already used by ${where(first, ['name'])}`
              : `projection name "${name}" collides with "${firstName}" (${where(first, ['name'])}): both are "${storeName}" in the stores`,
            firstName === name
              ? 'names must be unique in a folder'
              : 'names must stay unique in a folder when "-" is read as "_"',
          ),
        );
      else names.set(storeName, check);
    }
    // the store object a view writes (a table, an index), as its store names it; kinds and aliases agree
    const store = isPlainObject(target) ? storeModuleOfKind(target.kind) : undefined;
    const field = store?.dsl.viewName;
    const targetName = isPlainObject(target) && field !== undefined ? target[field] : undefined;
    if (isPlainObject(target) && store && field !== undefined && typeof targetName === 'string') {
      const id = `${store.kind}:${targetName}`;
      const first = targets.get(id);
      if (first) {
        problems.push(
          duplicate(
            check,
            ['target', field],
            'duplicate-target',
            `${String(target.kind)} ${field} "${targetName}" is already written by ${where(first, ['target', field])}`,
            'two projections writing one view would overwrite each other',
          ),
        );
      } else targets.set(id, check);
    }
  }
  return problems;
}

function duplicate(
  check: SourceCheck,
  path: string[],
  code: 'duplicate-name' | 'duplicate-target',
  message: string,
  suggestion: string,
): DefinitionError {
  const position = check.locator.valueAt(path);
  return {
    code,
    severity: 'error',
    file: check.locator.file,
    line: position.line,
    column: position.column,
    path: path.join('.'),
    message,
    suggestion,
  };
}

function where(check: SourceCheck, path: string[]): string {
  const position = check.locator.valueAt(path);
  return position.line > 0 ? `${check.locator.file}:${position.line}:${position.column}` : check.locator.file;
}

/** Files under `paths` (files as given, folders recursively) that pass `accept`, sorted per folder. */
export function findFiles(paths: readonly string[], accept: (path: string) => boolean): string[] {
  const found: string[] = [];
  for (const path of paths) {
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) throw new DefinitionPathNotFoundError(relative(process.cwd(), path) || path);
    if (info.isDirectory()) found.push(...walk(path, accept));
    else found.push(path);
  }
  return found;
}

function walk(folder: string, accept: (path: string) => boolean): string[] {
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.'))
      files.push(...walk(path, accept));
    else if (entry.isFile() && accept(path)) files.push(path);
  }
  return files;
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

/** A path given to the loader does not exist. */
export class DefinitionPathNotFoundError extends Error {
  override readonly name = 'DefinitionPathNotFoundError';
  constructor(readonly path: string) {
    super(
      `No projection definition file or folder at "${path}"; pass a *.yaml file or a folder of them (default: projections/).`,
    );
  }
}
