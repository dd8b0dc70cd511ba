/**
 * Query-string values to typed Cypher parameters, by the named query's declaration. Anything undeclared,
 * repeated, missing or of the wrong type is refused with the parameter's name.
 */
import neo4j from 'neo4j-driver';
import type { NamedQuery, QueryParameter } from '../../core/plan';
import { GraphQueryParameterError } from './graph-query.errors';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function bindParameters(
  query: NamedQuery,
  raw: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const declared = Object.keys(query.parameters);
  for (const name of Object.keys(raw)) {
    if (!(name in query.parameters)) {
      throw new GraphQueryParameterError(
        query.name,
        name,
        `not a parameter of this query (it takes ${declared.length > 0 ? declared.join(', ') : 'none'})`,
      );
    }
  }
  const bound: Record<string, unknown> = {};
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
  }
  return bound;
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
