/**
 * Fills a named search template (JSON with "{{param}}" holes) with typed, validated parameters by
 * walking the JSON: a string that is exactly one hole becomes the typed value (a number stays a
 * number), a hole inside longer text is replaced inside that string. Values never pass through JSON
 * text, so no parameter can add or close a structure (no injection).
 */
import type { JsonObject, JsonValue } from '../../../core/json';
import type { NamedQuery, QueryParameter } from '../../../core/plan';
import { SearchRequestError, UnknownSearchTemplateError } from './search.errors';
import type { QueryParameters } from './search-request.parser';

const WHOLE_HOLE = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;
const HOLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

type Scalar = string | number | boolean;

export function renderSearchTemplate(
  view: string,
  query: NamedQuery,
  parameters: QueryParameters,
): JsonObject {
  if (typeof query.body === 'string' || Array.isArray(query.body)) {
    throw new UnknownSearchTemplateError(view, query.name, []);
  }
  const values = typedParameters(query, parameters);
  const fill = (value: JsonValue): JsonValue => {
    if (typeof value === 'string') {
      const whole = WHOLE_HOLE.exec(value);
      if (whole) return valueOf(values, whole[1]!);
      return value.replace(HOLE, (_, name: string) => String(valueOf(values, name)));
    }
    if (Array.isArray(value)) return value.map(fill);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item)]));
    }
    return value;
  };
  return fill(query.body) as JsonObject;
}

function valueOf(values: ReadonlyMap<string, Scalar>, name: string): Scalar {
  const value = values.get(name);
  // The DSL validator checks holes against declared parameters; this guards stored definitions.
  if (value === undefined)
    throw new SearchRequestError(name, 'the template uses a parameter it does not declare');
  return value;
}

function typedParameters(query: NamedQuery, parameters: QueryParameters): Map<string, Scalar> {
  const values = new Map<string, Scalar>();
  for (const name of Object.keys(parameters)) {
    // Own properties only: `constructor=x` is no parameter of any template (issue #12).
    if (!Object.hasOwn(query.parameters, name)) {
      const declared = Object.keys(query.parameters);
      throw new SearchRequestError(
        name,
        `template "${query.name}" has no such parameter` +
          (declared.length > 0 ? `; it takes ${declared.join(', ')}` : ''),
      );
    }
  }
  for (const [name, declared] of Object.entries(query.parameters)) {
    const raw = parameters[name];
    if (raw === undefined) {
      if (declared.default !== undefined) values.set(name, declared.default);
      else if (declared.required) throw new SearchRequestError(name, `required by template "${query.name}"`);
      continue;
    }
    if (typeof raw !== 'string') throw new SearchRequestError(name, 'expected a single plain value');
    values.set(name, typed(name, declared, raw));
  }
  return values;
}

function typed(name: string, declared: QueryParameter, text: string): Scalar {
  switch (declared.type) {
    case 'string':
      return text;
    case 'integer':
      if (/^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
      throw new SearchRequestError(name, `expected an integer, got "${text}"`);
    case 'float':
      if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return Number(text);
      throw new SearchRequestError(name, `expected a number, got "${text}"`);
    case 'boolean':
      if (text === 'true' || text === 'false') return text === 'true';
      throw new SearchRequestError(name, `expected true or false, got "${text}"`);
  }
}
