/**
 * A projection's parked events: each with its event (payload shown as text: it is attacker-controlled),
 * the reason, its keys and the events held behind it; replay and discard, with the result shown.
 */
import { api, segment } from '../api';
import { type Child, fill, h } from '../dom';
import { json, position } from '../format';
import type { ParkedEvent, ParkedResolution } from '../types';
import { confirmAction, infoBox, type PageContext, poll, showError, type Stop, successBox } from '../ui';

export const PARKED_POLL_MS = 3_000;

export function parkedPage(main: HTMLElement, context: PageContext, name: string): Stop {
  const path = `/admin/projections/${segment(name)}/parked`;
  const list = h('div', {}, 'Loading…');
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  let shown = '';

  const resolve = async (event: ParkedEvent, action: 'replay' | 'discard') => {
    const confirmed =
      action === 'replay' ||
      (await confirmAction(
        `Discard the event at ${position(event.position)}?`,
        `The ${event.eventType} event of stream ${event.streamId} is dropped from "${name}" for good (the log keeps it; ` +
          'a rebuild would meet it again). The events held behind it are applied.',
        'Discard',
      ));
    if (!confirmed) return;
    fill(
      result,
      infoBox(
        `${action === 'replay' ? 'Replaying' : 'Discarding'} the event at ${position(event.position)}…`,
      ),
    );
    try {
      const answer = await api<ParkedResolution>('POST', `${path}/${segment(event.position)}/${action}`);
      fill(result, resolution(answer));
      await refresh();
    } catch (error) {
      showError(result, error, context);
    }
  };

  const refresh = async () => {
    const { parked } = await api<{ parked: readonly ParkedEvent[] }>('GET', path);
    // Re-rendered only when the list changed, so the keyboard focus stays on its button between polls.
    const fingerprint = JSON.stringify(parked.map((p) => [p.position, p.status, p.reason]));
    if (fingerprint === shown) return;
    shown = fingerprint;
    fill(list, ...parkedList(parked, resolve));
  };

  fill(
    main,
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: '#/' }, 'Projections'),
      ' / ',
      h('a', { href: `#/p/${encodeURIComponent(name)}` }, name),
      ' / parked events',
    ),
    h('h1', {}, `Parked events of ${name}`),
    h(
      'p',
      {},
      'An event the projection could not apply is parked; later events with the same key wait behind it (held) ' +
        'so each key keeps its order. Replay it once the cause is fixed, or discard it.',
    ),
    result,
    list,
  );
  return poll(PARKED_POLL_MS, refresh, context);
}

function parkedList(
  events: readonly ParkedEvent[],
  resolve: (event: ParkedEvent, action: 'replay' | 'discard') => Promise<void>,
): Child[] {
  const parked = events.filter((e) => e.status === 'parked');
  if (events.length === 0) return [h('p', { class: 'empty' }, 'No parked events.')];
  return parked.map((event) => {
    const keys = new Set(event.keys);
    const held = events.filter(
      (e) =>
        e.status === 'held' && BigInt(e.position) > BigInt(event.position) && e.keys.some((k) => keys.has(k)),
    );
    return h(
      'article',
      { class: 'parked', 'data-position': event.position, 'aria-labelledby': `parked-${event.position}` },
      h(
        'h2',
        { id: `parked-${event.position}` },
        `${event.eventType} at position ${position(event.position)}`,
      ),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Reason'),
        h('dd', {}, h('pre', { class: 'value reason' }, event.reason)),
        h('dt', {}, 'Stream'),
        h('dd', {}, event.streamId),
        h('dt', {}, 'Keys'),
        h('dd', {}, event.keys.length === 0 ? '(its keys could not be computed)' : event.keys.join(', ')),
        h('dt', {}, 'Parked at'),
        h('dd', {}, `${new Date(event.parkedAt).toLocaleString()} (generation ${event.generation})`),
        h('dt', {}, 'Held behind it'),
        h(
          'dd',
          {},
          held.length === 0
            ? 'nothing'
            : held.map((e) => `${e.eventType} at ${position(e.position)}`).join(', '),
        ),
      ),
      h('details', {}, h('summary', {}, 'Event'), h('pre', { class: 'value payload' }, json(event.event))),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => void resolve(event, 'replay') }, 'Replay'),
        h(
          'button',
          { type: 'button', class: 'danger', onclick: () => void resolve(event, 'discard') },
          'Discard',
        ),
      ),
    );
  });
}

function resolution(answer: ParkedResolution): HTMLElement {
  const released =
    answer.released === 1 ? '1 held event released' : `${answer.released} held events released`;
  switch (answer.result) {
    case 'replayed':
      return successBox(`Replayed the event at ${position(answer.position)}: applied, ${released}.`);
    case 'discarded':
      return successBox(`Discarded the event at ${position(answer.position)}; ${released}.`);
    case 'still-parked':
      return h(
        'div',
        { class: 'message message-error', role: 'status' },
        h('p', {}, `The event at ${position(answer.position)} failed again and stays parked:`),
        h('pre', { class: 'value' }, answer.reason ?? 'no reason given'),
      );
    default:
      return infoBox(`${answer.result} (event at ${position(answer.position)}; ${released}).`);
  }
}
