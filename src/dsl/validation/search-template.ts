/**
 * What an Elasticsearch query template refers to: `{{param}}` holes and document fields (keys of
 * field-level queries such as `match`/`term`/`range`, and `field`/`fields` values). The validator checks
 * both against the declared parameters and index fields.
 */
import type { JsonValue } from '../../core/json';
import type { PathSegment } from '../source/source-locator';

export interface TemplateReference {
  readonly name: string;
  /** Path inside the template of the string (or key) holding the reference. */
  readonly path: readonly PathSegment[];
  /** The reference is a key of a mapping (point at the key, not its value). */
  readonly isKey: boolean;
}

export interface TemplateAnalysis {
  readonly parameters: readonly TemplateReference[];
  readonly fields: readonly TemplateReference[];
}

/** Queries whose mapping keys are field names: `{ match: { title: "..." } }`. */
const FIELD_KEYED_QUERIES = new Set([
  'match',
  'match_phrase',
  'match_phrase_prefix',
  'match_bool_prefix',
  'term',
  'terms',
  'range',
  'prefix',
  'wildcard',
  'regexp',
  'fuzzy',
]);
/** Options beside the field inside those queries, and the keys of a `terms` aggregation (same name). */
const QUERY_OPTIONS = new Set([
  'boost',
  '_name',
  'minimum_should_match',
  'case_insensitive',
  'field',
  'size',
  'order',
  'min_doc_count',
  'missing',
  'format',
]);
/** Mustache helpers that look like holes but are not parameters. */
const MUSTACHE_HELPERS = new Set(['toJson', 'join', 'url']);
const HOLE = /\{\{\s*[#^/]?\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export function analyzeSearchTemplate(template: JsonValue): TemplateAnalysis {
  const parameters: TemplateReference[] = [];
  const fields: TemplateReference[] = [];

  const holes = (text: string, path: readonly PathSegment[], isKey: boolean): void => {
    for (const match of text.matchAll(HOLE)) {
      const name = match[1]!;
      if (!MUSTACHE_HELPERS.has(name)) parameters.push({ name, path, isKey });
    }
  };
  const field = (text: string, path: readonly PathSegment[], isKey: boolean): void => {
    if (text.includes('{{')) return; // a field chosen by a parameter is checked when the query runs
    const name = text.replace(/\^[0-9.]+$/, '').split('.')[0]!;
    if (name !== '' && !name.startsWith('_') && name !== '*') fields.push({ name, path, isKey });
  };

  const walk = (value: JsonValue, path: readonly PathSegment[], parentKey: string | undefined): void => {
    if (typeof value === 'string') {
      holes(value, path, false);
      if (parentKey === 'field') field(value, path, false);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        const itemPath = [...path, index];
        if ((parentKey === 'fields' || parentKey === 'sort') && typeof item === 'string') {
          holes(item, itemPath, false);
          field(item, itemPath, false);
        } else {
          walk(item, itemPath, parentKey === 'sort' ? 'sort-item' : undefined);
        }
      });
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, item] of Object.entries(value)) {
      const itemPath = [...path, key];
      holes(key, itemPath, true);
      // `sort: [{ price: "asc" }]` and `match: { title: ... }` name fields by their keys
      if (
        parentKey === 'sort-item' ||
        (parentKey !== undefined && FIELD_KEYED_QUERIES.has(parentKey) && !QUERY_OPTIONS.has(key))
      ) {
        field(key, itemPath, true);
      }
      walk(item, itemPath, key);
    }
  };

  walk(template, [], undefined);
  return { parameters, fields };
}
