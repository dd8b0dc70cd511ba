/**
 * Query-string values to typed Cypher parameters, by the named query's declaration. Anything undeclared,
 * repeated, missing or of the wrong type is refused with the parameter's name, and so is a row count
 * (a parameter right after LIMIT or SKIP) that is negative or beyond MAX_ROW_COUNT: Neo4j would refuse
 * it mid-query (issue #12: `limit=-1` was a 500).
 */
import neo4j from 'neo4j-driver';
import type { NamedQuery, QueryParameter } from '../../../core/plan';
import { tokenizeCypher } from '../cypher-lexer';
import { GraphQueryParameterError } from './graph-query.errors';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** The largest LIMIT or SKIP a request may give; rows returned stay capped by the service's maxRows. */
export const MAX_ROW_COUNT = 1_000_000;
const ROW_COUNT_CLAUSES = new Set(['LIMIT', 'SKIP', 'OFFSET']);

export function bindParameters(
  query: NamedQuery,
  raw: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const declared = Object.keys(query.parameters);
  for (const name of Object.keys(raw)) {
    // Own properties only: `constructor` or `__proto__` are no parameters (issue #12).
    if (!Object.hasOwn(query.parameters, name)) {
      throw new GraphQueryParameterError(
        query.name,
        name,
        `not a parameter of this query (it takes ${declared.length > 0 ? declared.join(', ') : 'none'})`,
      );
    }
  }
  const bound: Record<string, unknown> = {};
  const rowCounts = rowCountParameters(query);
  for (const [name, parameter] of Object.entries(query.parameters)) {
    const value = raw[name];
    if (value === undefined) {
      if (parameter.default !== undefined)
        bound[name] = typed(query.name, name, parameter, String(parameter.default));
      else if (parameter.required)
        throw new GraphQueryParameterError(query.name, name, `required ${parameter.type} is missing`);
      else bound[name] = null;
      continue;
    }
    if (typeof value !== 'string') {
      throw new GraphQueryParameterError(query.name, name, `give it once, as a single ${parameter.type}`);
    }
    bound[name] = typed(query.name, name, parameter, value);
    if (rowCounts.has(name)) checkRowCount(query.name, name, value);
  }
  return bound;
}

/** Parameters a query uses as a row count: `LIMIT $limit`, `SKIP $offset`. */
export function rowCountParameters(query: NamedQuery): ReadonlySet<string> {
  const names = new Set<string>();
  if (typeof query.body !== 'string') return names;
  const { tokens } = tokenizeCypher(query.body);
  tokens.forEach((token, i) => {
    const next = tokens[i + 1];
    if (
      token.kind === 'word' &&
      ROW_COUNT_CLAUSES.has(token.text.toUpperCase()) &&
      next?.kind === 'parameter'
    ) {
      names.add(next.text);
    }
  });
  return names;
}

function checkRowCount(query: string, name: string, text: string): void {
  const value = BigInt(text);
  if (value < 0n || value > BigInt(MAX_ROW_COUNT)) {
    throw new GraphQueryParameterError(
      query,
      name,
      `expected a row count from 0 to ${MAX_ROW_COUNT}, got ${JSON.stringify(text)}`,
    );
  }
}

function typed(query: string, name: string, parameter: QueryParameter, text: string): unknown {
  const bad = () =>
    new GraphQueryParameterError(
      query,
      name,
      `expected ${article(parameter.type)}, got ${JSON.stringify(text)}`,
    );
  switch (parameter.type) {
    case 'string':
      return text;
    case 'integer': {
      if (!/^[-+]?\d+$/.test(text)) throw bad();
      const value = BigInt(text);
      if (value < INT64_MIN || value > INT64_MAX) throw bad();
      return neo4j.int(value.toString());
    }
    case 'float': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) throw bad();
      return value;
    }
    case 'boolean':
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw bad();
  }
}

function article(type: string): string {
  return type === 'integer' ? 'an integer' : `a ${type}`;
}
