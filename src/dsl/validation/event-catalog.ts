/**
 * What the DSL takes from the event catalog (src/events-catalog, issue #16):
 *
 *  - `source.events` against the catalogued types. An event type outside it is a warning (other services
 *    may append events no catalog lists, and such an event keeps a dynamic `event.data`), but a typo such
 *    as `OrderPlacd` would otherwise make a projection that silently never sees an event (issue #12,
 *    item 8). When the catalog says it is complete (`complete: true`), it is an error.
 *  - the payload types of each catalogued event, for the CEL checker (event-data-types.ts).
 */
import type { EventCatalog } from '../../events-catalog/event-catalog';
import type { DefinitionError } from '../errors/definition-error';
import { didYouMean } from '../errors/suggest';
import { eventDataTypes, type EventDataTypes } from '../expressions/event-data-types';
import type { SourceLocator } from '../source/source-locator';
import { Problems } from './problems';
import { isPlainObject } from './schema-issues';

export function unknownEventTypes(
  value: unknown,
  locator: SourceLocator,
  known: ReadonlySet<string>,
  complete = false,
): DefinitionError[] {
  const source = isPlainObject(value) ? value.source : undefined;
  const events = isPlainObject(source) ? source.events : undefined;
  if (!Array.isArray(events)) return [];
  const problems = new Problems(locator);
  events.forEach((eventType, index) => {
    if (typeof eventType !== 'string' || known.has(eventType)) return;
    const suggestion = didYouMean(eventType, known);
    if (complete) {
      problems.add(
        'unknown-event-type',
        ['source', 'events', index],
        `"${eventType}" is not in the event catalog, which is complete (complete: true), so no such event is ever written`,
        { suggestion: suggestion ?? 'add it to the catalog file, or check the spelling' },
      );
      return;
    }
    problems.warn(
      'unknown-event-type',
      ['source', 'events', index],
      `no known event catalog produces "${eventType}", so this projection may never see one (its event.data is untyped)`,
      {
        suggestion:
          suggestion ??
          'check the spelling against the events your aggregates emit, or declare it in the event catalog file',
      },
    );
  });
  return problems.list;
}

const payloadTypeCache = new WeakMap<EventCatalog, Map<string, EventDataTypes | undefined>>();

/** The CEL payload types of each catalogued event type at its latest version, built once per catalog. */
export function payloadTypesOf(catalog: EventCatalog): (eventType: string) => EventDataTypes | undefined {
  let cache = payloadTypeCache.get(catalog);
  if (!cache) {
    cache = new Map();
    payloadTypeCache.set(catalog, cache);
  }
  const types = cache;
  return (eventType) => {
    if (types.has(eventType)) return types.get(eventType);
    const entry = catalog.get(eventType);
    const schema = catalog.latestSchema(eventType);
    const typed = entry && schema ? eventDataTypes(eventType, entry.latest, schema) : undefined;
    types.set(eventType, typed);
    return typed;
  };
}
