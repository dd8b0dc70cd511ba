/**
 * The size limits of a definition's parts (definition-limits.ts), checked on the raw value before the
 * schema and the semantic checks run, so an oversized definition is refused in time linear in its size
 * (issue #12, item 7: 64k columns validated in 85 s and were called valid, though the store allows
 * 1,600). The target section's limits are its store's (`StoreDsl.checkLimits`), and a query text's its
 * language's. A definition over a limit is not checked further: its other errors would take the time the
 * limit exists to save.
 */
import { NAME_LENGTH_LIMITS, SECTION_LIMITS, TEXT_LIMITS } from '../model/definition-limits';
import { queryLanguages, storeModuleOfKind } from '../model/store-sections';
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
  storeModuleOfKind(target.kind)?.dsl.checkLimits?.(target, {
    over,
    nameLength: (path, name, limit, what, at) => nameLength(problems, path, name, limit, what, at),
    entries,
    count,
  });

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
    for (const language of queryLanguages())
      if (isPlainObject(query) && query[language.field] !== undefined)
        language.checkLimits?.(query[language.field], ['queries', name, language.field], problems);
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
