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
import { parseYamlSource } from '../source/yaml-source.parser';
import type { SourceLocator } from '../source/source-locator';
import {
  validateDefinition,
  type CheckedDefinition,
  type DefinitionCheck,
} from '../validation/definition.validator';
import { isPlainObject } from '../validation/schema-issues';

/** A projection definition file: `*.yaml` / `*.yml`, but not a data test (`*.test.yaml`). */
export function isDefinitionFile(path: string): boolean {
  return /\.ya?ml$/.test(path) && !/\.test\.ya?ml$/.test(path);
}

export function isProjectionTestFile(path: string): boolean {
  return /\.test\.ya?ml$/.test(path);
}

export interface SourceCheck extends DefinitionCheck {
  readonly locator: SourceLocator;
  /** The parsed YAML value, even when invalid (cross-file checks read its name and target). */
  readonly value: unknown;
}

/** Checks one YAML text. `file` is only used in messages. */
export function checkDefinitionSource(text: string, file: string): SourceCheck {
  const parsed = parseYamlSource(text, file);
  if (parsed.value === undefined)
    return { problems: parsed.errors, locator: parsed.locator, value: undefined };
  const check = validateDefinition(parsed.value, parsed.locator);
  const problems = sortDefinitionErrors([...parsed.errors, ...check.problems]);
  if (hasErrors(parsed.errors) || !check.checked)
    return { problems, locator: parsed.locator, value: parsed.value };
  return { checked: check.checked, problems, locator: parsed.locator, value: parsed.value };
}

export interface FolderCheck {
  /** Every definition file found, in the order checked. */
  readonly files: readonly string[];
  /** Definitions without errors (warnings allowed), in file order. */
  readonly definitions: readonly CheckedDefinition[];
  /** Every problem of every file, in file order. */
  readonly problems: readonly DefinitionError[];
}

/**
 * Checks definition files and folders (folders recursively: every `*.yaml` that is not a `*.test.yaml`).
 * Paths are reported as given, relative to `cwd` when they are inside it.
 */
export function checkDefinitions(paths: readonly string[], cwd = process.cwd()): FolderCheck {
  const files = findFiles(
    paths.map((path) => resolve(cwd, path)),
    isDefinitionFile,
  );
  const results: { file: string; check: SourceCheck }[] = [];
  for (const file of files) {
    const display = displayPath(file, cwd);
    results.push({ file: display, check: checkDefinitionSource(readFileSync(file, 'utf8'), display) });
  }
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
  };
}

/**
 * Loads and compiles every definition under `paths`.
 * @throws DefinitionValidationError listing every error of every file when any file has one.
 */
export function loadProjections(paths: readonly string[], cwd = process.cwd()): CompiledProjection[] {
  const check = checkDefinitions(paths, cwd);
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
      const first = names.get(name);
      if (first)
        problems.push(
          duplicate(
            check,
            ['name'],
            'duplicate-name',
            `projection name "${name}" is already used by ${where(first, ['name'])}`,
            'names must be unique in a folder',
          ),
        );
      else names.set(name, check);
    }
    const targetName = isPlainObject(target)
      ? target.kind === 'postgres'
        ? target.table
        : target.kind === 'elasticsearch'
          ? target.index
          : undefined
      : undefined;
    if (isPlainObject(target) && typeof targetName === 'string') {
      const field = target.kind === 'postgres' ? 'table' : 'index';
      const id = `${String(target.kind)}:${targetName}`;
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
