/**
 * What an Elasticsearch query template refers to: `{{param}}` holes and document fields (keys of
 * field-level queries such as `match`/`term`/`range`, and `field`/`fields` values). The validator checks
 * both against the declared parameters and index fields.
 */
import type { JsonValue } from '../../../core/json';
import type { PathSegment } from '../../../dsl/source/source-locator';

export interface TemplateReference {
  readonly name: string;
  /** Path inside the template of the string (or key) holding the reference. */
  readonly path: readonly PathSegment[];
  /** The reference is a key of a mapping (point at the key, not its value). */
  readonly isKey: boolean;
}

export interface TemplateFinding {
  readonly kind: 'forbidden' | 'placement';
  readonly path: readonly PathSegment[];
  readonly isKey: boolean;
  readonly message: string;
}

export interface TemplateAnalysis {
  readonly parameters: readonly TemplateReference[];
  readonly fields: readonly TemplateReference[];
  /** Keys a template may not hold (`script`, `index`) and holes where no value can safely go. */
  readonly findings: readonly TemplateFinding[];
  /** Whole-string holes given as a count (`size`, `from`): their parameter must be an integer. */
  readonly counts: readonly TemplateReference[];
}

/**
 * Keys that run code on the cluster or read another index (issue #12, items 5 and 8): `script` anywhere
 * (`script_score`, `minimum_should_match_script`, ...), runtime fields (scripts too), and `index`
 * (a terms lookup or an indexed shape reads the named index, whatever the view's alias is).
 */
function forbiddenKeyReason(key: string): string | undefined {
  if (/script/i.test(key)) return 'scripts run code on the Elasticsearch cluster';
  if (key === 'runtime_mappings') return 'runtime fields are scripts';
  if (key === 'index' || key === '_index' || key === 'indices')
    return "it makes Elasticsearch read another index than the view's";
  return undefined;
}
/** Keys whose value Elasticsearch reads as a number of hits. */
const COUNT_KEYS = new Set(['size', 'from', 'terminate_after', 'shard_size', 'min_doc_count']);
const WHOLE_HOLE = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

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
  const findings: TemplateFinding[] = [];
  const counts: TemplateReference[] = [];

  const holes = (text: string, path: readonly PathSegment[], isKey: boolean): void => {
    if (!text.includes('{{')) return;
    for (const match of text.matchAll(HOLE)) {
      const name = match[1]!;
      if (!MUSTACHE_HELPERS.has(name)) parameters.push({ name, path, isKey });
    }
    // The renderer substitutes whole values only: a key chosen by a caller, or text spliced into a
    // string (e.g. query_string syntax), would let a parameter change what the query means.
    if (isKey) {
      findings.push({
        kind: 'placement',
        path,
        isKey,
        message: `a parameter cannot be a key ("${text}"): keys decide what the query does`,
      });
    } else if (!WHOLE_HOLE.test(text)) {
      findings.push({
        kind: 'placement',
        path,
        isKey,
        message: `a parameter must be the whole string ("{{name}}"), not part of "${text}": a value spliced into text could change the query's syntax (mustache sections and helpers are not supported)`,
      });
    }
  };
  const field = (text: string, path: readonly PathSegment[], isKey: boolean): void => {
    if (text.includes('{{')) return; // a field chosen by a parameter is checked when the query runs
    // the whole path: a dotted name is a sub-field (`city.raw`), checked like a field (issue #16)
    const name = text.replace(/\^[0-9.]+$/, '');
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
      const forbidden = forbiddenKeyReason(key);
      if (forbidden) {
        findings.push({
          kind: 'forbidden',
          path: itemPath,
          isKey: true,
          message: `"${key}" is not allowed in a search template: ${forbidden}`,
        });
        continue;
      }
      const whole = typeof item === 'string' ? WHOLE_HOLE.exec(item) : null;
      if (whole && COUNT_KEYS.has(key)) counts.push({ name: whole[1]!, path: itemPath, isKey: false });
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
  return { parameters, fields, findings, counts };
}
