/**
 * `source.events` against the event types a known catalog produces (the app's aggregates). An event
 * type outside it is a warning, not an error: other services may append events through
 * `POST /streams/{id}/events` that no catalog lists, but a typo such as `OrderPlacd` would otherwise make a
 * projection that silently never sees an event (issue #12, item 8).
 */
import type { DefinitionError } from '../errors/definition-error';
import { didYouMean } from '../errors/suggest';
import type { SourceLocator } from '../source/source-locator';
import { Problems } from './problems';
import { isPlainObject } from './schema-issues';

export function unknownEventTypes(
  value: unknown,
  locator: SourceLocator,
  known: ReadonlySet<string>,
): DefinitionError[] {
  const source = isPlainObject(value) ? value.source : undefined;
  const events = isPlainObject(source) ? source.events : undefined;
  if (!Array.isArray(events)) return [];
  const problems = new Problems(locator);
  events.forEach((eventType, index) => {
    if (typeof eventType !== 'string' || known.has(eventType)) return;
    problems.warn(
      'unknown-event-type',
      ['source', 'events', index],
      `no known event catalog produces "${eventType}", so this projection may never see one`,
      {
        suggestion:
          didYouMean(eventType, known) ?? 'check the spelling against the events your aggregates emit',
      },
    );
  });
  return problems.list;
}
