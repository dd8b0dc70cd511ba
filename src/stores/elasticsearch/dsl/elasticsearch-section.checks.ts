/**
 * Checks of an Elasticsearch section that its schema cannot express: the id field is declared and not a
 * list, analyzers only on text fields, facets only on aggregatable fields, names Prism keeps for itself
 * (issue #12, items 2 and 8: `index: meta` validated, then failed at start-up), and the size limits.
 */
import { isPlainObject } from '../../../core/json';
import { didYouMean } from '../../../dsl/errors/suggest';
import { TEXT_LIMITS } from '../../../dsl/model/definition-limits';
import { NAME_PATTERNS } from '../../../dsl/model/names';
import type { Problems } from '../../../dsl/validation/problems';
import type { SalvagedSection, SectionLimits } from '../../store-dsl';
import {
  ELASTICSEARCH_LIMITS,
  ElasticsearchFieldSchema,
  ElasticsearchSectionSchema,
  type ElasticsearchSection,
} from './elasticsearch-section.schema';

/** The Elasticsearch bookkeeping index is `<prefix>meta`, beside the aliases `<prefix><target.index>`. */
const RESERVED_INDEXES = new Set(['meta']);

export function reservedIndexReason(index: string): string | undefined {
  return RESERVED_INDEXES.has(index)
    ? "it is the name of Prism's bookkeeping index (registry, checkpoints, parked events)"
    : undefined;
}

export function checkElasticsearchSection(section: ElasticsearchSection, problems: Problems): void {
  const fields = Object.keys(section.fields);
  const id = section.fields[section.id];
  if (!id) {
    problems.add(
      'key-not-declared',
      ['target', 'id'],
      `id field "${section.id}" is not declared in target.fields`,
      {
        suggestion: didYouMean(section.id, fields) ?? `declare it: ${section.id}: { type: keyword }`,
      },
    );
  } else if (id.array) {
    problems.add(
      'key-nullable',
      ['target', 'fields', section.id, 'array'],
      `id field "${section.id}" cannot be an array`,
    );
  }
  for (const [name, field] of Object.entries(section.fields)) {
    checkAnalyzers(['target', 'fields', name], name, field, problems);
    if (field.facet && field.type === 'text') facetOnText(name, field, problems);
    checkSubFields(name, field, problems);
  }
  checkReservedNames(section, problems);
}

type FieldDeclaration = ElasticsearchSection['fields'][string];
type SubFieldDeclaration = NonNullable<FieldDeclaration['fields']>[string];

function checkAnalyzers(
  path: readonly (string | number)[],
  name: string,
  field: FieldDeclaration | SubFieldDeclaration,
  problems: Problems,
): void {
  for (const option of ['analyzer', 'searchAnalyzer'] as const) {
    if (field[option] !== undefined && field.type !== 'text')
      problems.add(
        'invalid-value',
        [...path, option],
        `field "${name}" is ${field.type}: only text fields are analyzed`,
        {
          suggestion: `remove ${option}, or make the field type: text`,
        },
      );
  }
}

/**
 * A text field is analyzed into words, which Elasticsearch cannot aggregate (issue #16: the user declared
 * `city` and `city_facet` fed by the same expression). The fix is a keyword sub-field, faceted by its path.
 */
function facetOnText(name: string, field: FieldDeclaration, problems: Problems): void {
  const keyword = Object.entries(field.fields ?? {}).find(([, sub]) => sub.type === 'keyword')?.[0];
  problems.add(
    'facet-not-aggregatable',
    ['target', 'fields', name, 'facet'],
    `field "${name}" is text (analyzed), which Elasticsearch cannot aggregate into facets`,
    {
      suggestion:
        keyword === undefined
          ? `keep it text and add a keyword sub-field for the facet: fields: { raw: { type: keyword, facet: true } } (the facet and sort then name "${name}.raw"), or use type: keyword`
          : `move facet: true to its keyword sub-field: fields: { ${keyword}: { type: keyword, facet: true } } (the facet is then "${name}.${keyword}")`,
    },
  );
}

function checkSubFields(name: string, field: FieldDeclaration, problems: Problems): void {
  const subFields = Object.entries(field.fields ?? {});
  if (subFields.length === 0) return;
  if (field.type !== 'text' && field.type !== 'keyword') {
    problems.add(
      'invalid-value',
      ['target', 'fields', name, 'fields'],
      `field "${name}" is ${field.type}: sub-fields index a text or keyword value another way`,
      { at: 'key', suggestion: 'remove fields, or declare the field as text or keyword' },
    );
    return;
  }
  for (const [sub, declaration] of subFields) {
    const path = ['target', 'fields', name, 'fields', sub];
    checkAnalyzers(path, `${name}.${sub}`, declaration, problems);
    if (declaration.facet && declaration.type === 'text') {
      problems.add(
        'facet-not-aggregatable',
        [...path, 'facet'],
        `sub-field "${name}.${sub}" is text (analyzed), which Elasticsearch cannot aggregate into facets`,
        { suggestion: `make it type: keyword` },
      );
    }
  }
}

function checkReservedNames(section: ElasticsearchSection, problems: Problems): void {
  const reason = reservedIndexReason(section.index);
  if (reason)
    problems.add('reserved-name', ['target', 'index'], `"${section.index}" is reserved: ${reason}`, {
      suggestion: 'choose another name',
    });
  for (const field of Object.keys(section.fields)) {
    if (field.startsWith('_'))
      problems.add(
        'reserved-name',
        ['target', 'fields', field],
        `"${field}" is reserved: fields starting with _ are Elasticsearch's metadata fields and Prism's own (_prism_deleted)`,
        { at: 'key', suggestion: 'choose another name' },
      );
  }
}

export function checkElasticsearchLimits(
  raw: Readonly<Record<string, unknown>>,
  limits: SectionLimits,
): void {
  const fields = limits.count(raw.fields);
  limits.over(
    ['target', 'fields'],
    fields,
    ELASTICSEARCH_LIMITS.fields,
    'fields in an elasticsearch index',
    "Elasticsearch's index.mapping.total_fields.limit is 1,000, and Prism maps one field of its own",
  );
  limits.nameLength(['target', 'index'], raw.index, ELASTICSEARCH_LIMITS.indexName, 'an index name');
  if (fields <= ELASTICSEARCH_LIMITS.fields)
    for (const [name] of limits.entries(raw.fields))
      limits.nameLength(['target', 'fields', name], name, TEXT_LIMITS.nameLength, 'a field name', 'key');
}

/**
 * When only some field declarations fail the schema (a misspelt type, say), they become keyword
 * placeholders, remembered as untyped, so one typo does not hide the file's other errors.
 */
export function salvageElasticsearchSection(
  raw: Readonly<Record<string, unknown>>,
): SalvagedSection<ElasticsearchSection> | undefined {
  const untyped = new Set<string>();
  const fields: Record<string, unknown> = {};
  for (const [name, declaration] of isPlainObject(raw.fields) ? Object.entries(raw.fields) : []) {
    if (!NAME_PATTERNS.field.pattern.test(name)) continue;
    if (ElasticsearchFieldSchema.safeParse(declaration).success) fields[name] = declaration;
    else {
      fields[name] = { type: 'keyword' };
      untyped.add(name);
    }
  }
  const salvaged = ElasticsearchSectionSchema.safeParse({ ...structuredClone(raw), fields });
  return salvaged.success ? { section: salvaged.data, untyped } : undefined;
}
