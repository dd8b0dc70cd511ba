/**
 * Checks of a Neo4j view's named query (`cypher:`): read-only (cypher-read-only.ts), and its `$name`
 * parameters against the declared ones.
 */
import { didYouMean } from '../../../dsl/errors/suggest';
import type { NamedQueryCheck } from '../../store-dsl';
import { analyzeCypher } from './cypher-read-only';
import type { Neo4jSection } from './neo4j-section.schema';

export function checkCypherQuery({
  path: base,
  text,
  parameters,
  problems,
}: NamedQueryCheck<Neo4jSection>): void {
  const path = [...base, 'cypher'];
  const analysis = analyzeCypher(text as string);
  for (const finding of analysis.findings) {
    problems.add(finding.kind === 'syntax' ? 'query-syntax' : 'query-write-clause', path, finding.message, {
      offset: finding.offset,
    });
  }
  const declared = Object.keys(parameters);
  for (const [parameter, offset] of analysis.parameters) {
    if (!(parameter in parameters)) {
      problems.add(
        'query-undeclared-parameter',
        path,
        `parameter $${parameter} is not declared in parameters`,
        {
          offset,
          suggestion: didYouMean(parameter, declared) ?? `declare it: ${parameter}: { type: string }`,
        },
      );
    }
  }
  for (const parameter of declared) {
    if (!analysis.parameters.has(parameter)) {
      problems.add(
        'query-unused-parameter',
        [...base, 'parameters', parameter],
        `parameter "${parameter}" is declared but the query never uses $${parameter}`,
        { at: 'key' },
      );
    }
  }
}
