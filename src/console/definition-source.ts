/**
 * Finds the YAML file a running projection was defined in, so the console can show its definition with
 * its comments. Definitions are read once at start, so the file may have changed (or gone) since: the
 * caller compares fingerprints and also shows the definition that actually runs.
 */
import { readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { stringify } from 'yaml';
import type { JsonValue } from '../core/json';
import { compileProjection, checkDefinitionSource, formatDefinitionError } from '../dsl';
import type { CheckOptions } from '../dsl/loader/definition.loader';
import { findFiles, isDefinitionFile } from '../dsl/loader/definition.loader';
import { parseYamlSource } from '../dsl/source/yaml-source.parser';

/** Larger files are not read here (they could not have loaded either; the DSL caps definition size). */
export const MAX_DEFINITION_BYTES = 1_000_000;

export interface DefinitionFile {
  /** Relative to the working directory when inside it, as `prism validate` shows it. */
  readonly file: string;
  readonly text: string;
}

/**
 * The definition file among `paths` (folders and files) whose `name:` is `name`, or undefined (also for a
 * definition written in TypeScript: the console then shows the definition that runs).
 */
export function findDefinitionFile(paths: readonly string[], name: string): DefinitionFile | undefined {
  let files: string[];
  try {
    files = findFiles(paths, isDefinitionFile);
  } catch {
    return undefined;
  }
  for (const path of files) {
    const size = statSync(path, { throwIfNoEntry: false })?.size ?? Infinity;
    if (size > MAX_DEFINITION_BYTES) continue;
    const text = readFileSync(path, 'utf8');
    const file = displayPath(path);
    const { value } = parseYamlSource(text, file);
    if (isObject(value) && value.name === name) return { file, text };
  }
  return undefined;
}

/**
 * What the file on disk compiles to today: its fingerprint, or the problems that keep it from compiling.
 * `options`: the app's event catalog, as the running plan was compiled with it (its upcasters are part of
 * the fingerprint).
 */
export function fingerprintOfSource(
  source: DefinitionFile,
  options: CheckOptions = {},
): { fingerprint?: string; problems: string[] } {
  const check = checkDefinitionSource(source.text, source.file, options);
  const problems = check.problems.filter((p) => p.severity === 'error').map(formatDefinitionError);
  if (check.checked === undefined || problems.length > 0) return { problems };
  return { fingerprint: compileProjection(check.checked).fingerprint, problems: [] };
}

/** The normalized definition a generation runs, as YAML (comments and key order of the file are gone). */
export function runningDefinitionYaml(model: JsonValue | null): string | null {
  return model === null ? null : stringify(model, { lineWidth: 0 });
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
