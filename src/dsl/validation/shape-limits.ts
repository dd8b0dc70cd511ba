/**
 * The size limits of a definition's parts (definition-limits.ts), checked on the raw value before the
 * schema and the semantic checks run, so an oversized definition is refused in time linear in its size
 * (issue #12, item 7: 64k columns validated in 85 s and were called valid, though PostgreSQL allows
 * 1,600). A definition over a limit is not checked further: its other errors would take the time the
 * limit exists to save.
 */
import { NAME_LENGTH_LIMITS, SECTION_LIMITS, TARGET_LIMITS, TEXT_LIMITS } from '../model/definition-limits';
import type { PathSegment } from '../source/source-locator';
import type { Problems } from './problems';
import { isPlainObject } from './schema-issues';

/** Adds a `limit-exceeded` problem per limit exceeded; returns whether there was any. */
export function checkShapeLimits(value: unknown, problems: Problems): boolean {
  const before = problems.list.length;
  const over = (path: readonly PathSegment[], count: number, limit: number, what: string, hint?: string) => {
    if (count <= limit) return;
    problems.add(
      'limit-exceeded',
      path,
      `${count.toLocaleString('en-US')} ${what}; at most ${limit.toLocaleString('en-US')} are allowed`,
      { at: 'key', suggestion: hint },
    );
  };
  const entries = (item: unknown): [string, unknown][] => (isPlainObject(item) ? Object.entries(item) : []);
  const count = (item: unknown): number =>
    Array.isArray(item) ? item.length : isPlainObject(item) ? Object.keys(item).length : 0;
  const root = isPlainObject(value) ? value : {};

  nameLength(problems, ['name'], root.name, NAME_LENGTH_LIMITS.projection, 'a projection name');
  const source = isPlainObject(root.source) ? root.source : {};
  over(['source', 'events'], count(source.events), SECTION_LIMITS.eventTypes, 'event types in source.events');
  if (Array.isArray(source.events) && source.events.length <= SECTION_LIMITS.eventTypes)
    source.events.forEach((eventType: unknown, index) =>
      nameLength(problems, ['source', 'events', index], eventType, TEXT_LIMITS.nameLength, 'an event type'),
    );

  const target = isPlainObject(root.target) ? root.target : {};
  if (target.kind === 'postgres') {
    over(
      ['target', 'columns'],
      count(target.columns),
      TARGET_LIMITS.postgresColumns,
      'columns in a postgres table',
      'split the view into several projections; PostgreSQL itself stops at 1,600 columns',
    );
    nameLength(problems, ['target', 'table'], target.table, NAME_LENGTH_LIMITS.table, 'a table name');
    if (count(target.columns) <= TARGET_LIMITS.postgresColumns)
      for (const [name] of entries(target.columns))
        nameLength(
          problems,
          ['target', 'columns', name],
          name,
          NAME_LENGTH_LIMITS.column,
          'a column name',
          'key',
        );
    const indexes = Array.isArray(target.indexes) ? target.indexes : [];
    over(['target', 'indexes'], indexes.length, TARGET_LIMITS.postgresIndexes, 'indexes on one table');
    indexes.forEach((index: unknown, i) => {
      if (isPlainObject(index))
        over(
          ['target', 'indexes', i, 'columns'],
          count(index.columns),
          TARGET_LIMITS.postgresIndexColumns,
          'columns in one index',
        );
    });
  } else if (target.kind === 'elasticsearch') {
    over(
      ['target', 'fields'],
      count(target.fields),
      TARGET_LIMITS.elasticsearchFields,
      'fields in an elasticsearch index',
      "Elasticsearch's index.mapping.total_fields.limit is 1,000, and Prism maps one field of its own",
    );
    nameLength(
      problems,
      ['target', 'index'],
      target.index,
      NAME_LENGTH_LIMITS.elasticsearchIndex,
      'an index name',
    );
    if (count(target.fields) <= TARGET_LIMITS.elasticsearchFields)
      for (const [name] of entries(target.fields))
        nameLength(problems, ['target', 'fields', name], name, TEXT_LIMITS.nameLength, 'a field name', 'key');
  } else if (target.kind === 'neo4j') {
    over(['target', 'nodes'], count(target.nodes), TARGET_LIMITS.neo4jLabels, 'node labels');
    over(
      ['target', 'relationships'],
      count(target.relationships),
      TARGET_LIMITS.neo4jRelationshipTypes,
      'relationship types',
    );
    for (const part of ['nodes', 'relationships'] as const) {
      for (const [name, declaration] of entries(target[part])) {
        nameLength(problems, ['target', part, name], name, TEXT_LIMITS.nameLength, 'a label or type', 'key');
        const properties = isPlainObject(declaration) ? declaration.properties : undefined;
        over(
          ['target', part, name, 'properties'],
          count(properties),
          TARGET_LIMITS.neo4jProperties,
          `properties of ${name}`,
        );
      }
    }
  }

  over(['handlers'], count(root.handlers), SECTION_LIMITS.handlers, 'handlers');
  for (const [eventType, actions] of entries(root.handlers)) {
    nameLength(problems, ['handlers', eventType], eventType, TEXT_LIMITS.nameLength, 'an event type', 'key');
    over(['handlers', eventType], count(actions), SECTION_LIMITS.actions, `actions for ${eventType}`);
    if (!Array.isArray(actions)) continue;
    actions.forEach((action: unknown, index) => {
      for (const [kind, body] of entries(action)) {
        for (const part of ['set', 'increment', 'append'] as const) {
          const assignments = isPlainObject(body) ? body[part] : undefined;
          over(
            ['handlers', eventType, index, kind, part],
            count(assignments),
            SECTION_LIMITS.assignments,
            `assignments in one ${part}`,
          );
        }
      }
    });
  }

  over(['queries'], count(root.queries), SECTION_LIMITS.queries, 'named queries');
  for (const [name, query] of entries(root.queries)) {
    const parameters = isPlainObject(query) ? query.parameters : undefined;
    over(
      ['queries', name, 'parameters'],
      count(parameters),
      SECTION_LIMITS.parameters,
      `parameters of query ${name}`,
    );
    const cypher = isPlainObject(query) ? query.cypher : undefined;
    if (typeof cypher === 'string' && cypher.length > TEXT_LIMITS.cypherLength) {
      problems.add(
        'limit-exceeded',
        ['queries', name, 'cypher'],
        `the query has ${cypher.length.toLocaleString('en-US')} characters; at most ${TEXT_LIMITS.cypherLength.toLocaleString('en-US')} are allowed`,
      );
    }
  }
  return problems.list.length > before;
}

function nameLength(
  problems: Problems,
  path: readonly PathSegment[],
  name: unknown,
  limit: number,
  what: string,
  at: 'key' | 'value' = 'value',
): void {
  if (typeof name !== 'string' || name.length <= limit) return;
  problems.add(
    'limit-exceeded',
    path,
    `${what} may have at most ${limit} characters; this one has ${name.length.toLocaleString('en-US')}`,
    { at },
  );
}
