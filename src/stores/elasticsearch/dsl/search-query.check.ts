/**
 * Checks of an Elasticsearch view's named query (`search:`, a query template): what
 * search-template.analyzer.ts finds (forbidden keys, misplaced holes), holes against the declared
 * parameters, and the fields it names against the index's fields.
 */
import { isPlainObject, type JsonValue } from '../../../core/json';
import type { PathSegment } from '../../../dsl/source/source-locator';
import type { Problems } from '../../../dsl/validation/problems';
import { didYouMean } from '../../../dsl/errors/suggest';
import type { NamedQueryCheck } from '../../store-dsl';
import type { ElasticsearchSection } from './elasticsearch-section.schema';
import { analyzeSearchTemplate } from './search-template.analyzer';

/** The fields and sub-fields (`city.raw`) a template or a facet may name. */
export function fieldPathsOf(section: ElasticsearchSection): string[] {
  return Object.entries(section.fields).flatMap(([name, field]) => [
    name,
    ...Object.keys(field.fields ?? {}).map((sub) => `${name}.${sub}`),
  ]);
}

export function checkSearchQuery({
  section,
  path: base,
  text,
  parameters,
  options,
  problems,
}: NamedQueryCheck<ElasticsearchSection>): void {
  if (Array.isArray(options.facets)) checkFacets(section, base, text, options.facets as string[], problems);
  const path = [...base, 'search'];
  const fields = fieldPathsOf(section);
  const analysis = analyzeSearchTemplate(text as Readonly<Record<string, JsonValue>>);
  for (const finding of analysis.findings) {
    problems.add(
      finding.kind === 'forbidden' ? 'query-forbidden' : 'query-parameter-placement',
      [...path, ...finding.path],
      finding.message,
      { at: finding.isKey ? 'key' : 'value' },
    );
  }
  for (const count of analysis.counts) {
    const type = parameters[count.name]?.type;
    if (type !== undefined && type !== 'integer') {
      problems.add(
        'query-parameter-placement',
        [...path, ...count.path],
        `"${String(count.path[count.path.length - 1])}" takes a number of hits, but parameter "${count.name}" is a ${type}`,
        { suggestion: `declare it as ${count.name}: { type: integer }` },
      );
    }
  }
  const declared = Object.keys(parameters);
  const used = new Set<string>();
  for (const reference of analysis.parameters) {
    used.add(reference.name);
    if (!(reference.name in parameters)) {
      problems.add(
        'query-undeclared-parameter',
        [...path, ...reference.path],
        `parameter {{${reference.name}}} is not declared in parameters`,
        {
          at: reference.isKey ? 'key' : 'value',
          suggestion:
            didYouMean(reference.name, declared) ?? `declare it: ${reference.name}: { type: string }`,
        },
      );
    }
  }
  for (const parameter of declared) {
    if (!used.has(parameter)) {
      problems.add(
        'query-unused-parameter',
        [...base, 'parameters', parameter],
        `parameter "${parameter}" is declared but the template never uses {{${parameter}}}`,
        { at: 'key' },
      );
    }
  }
  for (const reference of analysis.fields) {
    if (!fields.includes(reference.name)) {
      problems.add(
        'query-unknown-field',
        [...path, ...reference.path],
        `field "${reference.name}" is not a field${reference.name.includes('.') ? ' or sub-field' : ''} of this index (${fields.join(', ')})`,
        { at: reference.isKey ? 'key' : 'value', suggestion: didYouMean(reference.name, fields) },
      );
    }
  }
}

/** Facets of a template: declared, aggregatable fields, not clashing with the template's own aggregations. */
function checkFacets(
  section: ElasticsearchSection,
  base: readonly PathSegment[],
  text: unknown,
  facets: readonly string[],
  problems: Problems,
): void {
  const paths = fieldPathsOf(section);
  const own = isPlainObject(text) ? { ...asObject(text.aggs), ...asObject(text.aggregations) } : {};
  facets.forEach((facet, index) => {
    const path = [...base, 'facets', index];
    const [name = '', sub] = facet.split('.');
    const field = section.fields[name];
    const type = sub === undefined ? field?.type : field?.fields?.[sub]?.type;
    if (!Object.hasOwn(section.fields, name) || type === undefined) {
      problems.add(
        'query-unknown-field',
        path,
        `facet "${facet}" is not a field or sub-field of this index`,
        {
          suggestion: didYouMean(facet, paths) ?? `declare it in target.fields`,
        },
      );
    } else if (type === 'text') {
      const keyword = Object.entries(field?.fields ?? {}).find(
        ([, declared]) => declared.type === 'keyword',
      )?.[0];
      problems.add(
        'facet-not-aggregatable',
        path,
        `facet "${facet}" is a text field (analyzed), which Elasticsearch cannot aggregate into facets`,
        {
          suggestion:
            sub === undefined && keyword !== undefined
              ? `facet on its keyword sub-field: ${name}.${keyword}`
              : `add a keyword sub-field to "${name}" (fields: { raw: { type: keyword } }) and facet on ${name}.raw`,
        },
      );
    }
    if (Object.hasOwn(own, facet))
      problems.add(
        'invalid-value',
        path,
        `facet "${facet}" has the name of an aggregation the template declares`,
        {
          suggestion: 'rename the aggregation or drop the facet',
        },
      );
  });
}

function asObject(value: unknown): Record<string, unknown> {
  return isPlainObject(value) ? value : {};
}
