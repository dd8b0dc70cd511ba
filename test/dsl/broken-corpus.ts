/**
 * The broken-definition corpus: test/dsl/broken/<what-is-wrong>.yaml (or a folder, for cross-file
 * problems) next to <what-is-wrong>.expected, which holds the exact lines `prism validate` must print
 * for it (file:line:column severity code path: message (suggestion)).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { marketplaceAggregates } from '../../examples/marketplace';
import { buildEventCatalog, type CatalogBuild } from '../../src/events-catalog/build-catalog';

export const BROKEN_FOLDER = join(__dirname, 'broken');

export interface BrokenCase {
  /** File or folder name inside BROKEN_FOLDER. */
  readonly entry: string;
  readonly isFolder: boolean;
  readonly expected: readonly string[];
  /** The codes the expected lines name. */
  readonly codes: readonly string[];
}

export function brokenCases(): BrokenCase[] {
  return readdirSync(BROKEN_FOLDER)
    .filter((name) => name.endsWith('.yaml') || statSync(join(BROKEN_FOLDER, name)).isDirectory())
    .sort()
    .map((entry) => {
      const isFolder = !entry.endsWith('.yaml');
      const base = isFolder ? entry : entry.replace(/\.yaml$/, '');
      const expected = readFileSync(join(BROKEN_FOLDER, `${base}.expected`), 'utf8')
        .trimEnd()
        .split('\n');
      const codes = expected.map((line) => /^\S+ (?:error|warning) (\S+)/.exec(line)?.[1] ?? '?');
      return { entry, isFolder, expected, codes };
    });
}

/** The name of a case's own event catalog file, inside a folder case (as `prism validate` finds it). */
export const CASE_CATALOG_FILE = 'events.catalog.yaml';

/**
 * The event catalog a case is checked against: the example marketplace's aggregates, plus the case's own
 * catalog file when it is a folder holding one. Its problems are the case's when the file is broken.
 */
export function catalogOfCase(brokenCase: BrokenCase): CatalogBuild {
  const file = join(BROKEN_FOLDER, brokenCase.entry, CASE_CATALOG_FILE);
  if (!brokenCase.isFolder || !existsSync(file))
    return buildEventCatalog({ aggregates: marketplaceAggregates });
  return buildEventCatalog({
    aggregates: marketplaceAggregates,
    file: { text: readFileSync(file, 'utf8'), name: `${brokenCase.entry}/${CASE_CATALOG_FILE}` },
  });
}

/** Codes of problems in the file itself: no YAML value (or no trustworthy one) to check a schema against. */
export const FILE_LEVEL_CODES = new Set([
  'yaml-syntax',
  'yaml-alias',
  'yaml-too-deep',
  'encoding',
  'file-too-large',
]);

/** Codes of problems a JSON Schema can see: the structural ones reported from the zod schema. */
export const SCHEMA_LEVEL_CODES = new Set([
  'unknown-key',
  'wrong-type',
  'missing-field',
  'invalid-value',
  'invalid-name',
  'too-small',
  'unknown-target-kind',
  'unknown-action',
  'ambiguous-action',
]);
