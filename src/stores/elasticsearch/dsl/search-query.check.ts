/**
 * Checks of an Elasticsearch view's named query (`search:`, a query template): what
 * search-template.analyzer.ts finds (forbidden keys, misplaced holes), holes against the declared
 * parameters, and the fields it names against the index's fields.
 */
import type { JsonValue } from '../../../core/json';
import { didYouMean } from '../../../dsl/errors/suggest';
import type { NamedQueryCheck } from '../../store-dsl';
import type { ElasticsearchSection } from './elasticsearch-section.schema';
import { analyzeSearchTemplate } from './search-template.analyzer';

export function checkSearchQuery({
  section,
  path: base,
  text,
  parameters,
  problems,
}: NamedQueryCheck<ElasticsearchSection>): void {
  const path = [...base, 'search'];
  const fields = Object.keys(section.fields);
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
        `field "${reference.name}" is not a field of this index (${fields.join(', ')})`,
        { at: reference.isKey ? 'key' : 'value', suggestion: didYouMean(reference.name, fields) },
      );
    }
  }
}
