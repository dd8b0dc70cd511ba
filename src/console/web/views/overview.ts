/** Overview: every projection in one table, updated by polling without a reload. */
import { api } from '../api';
import { type Child, fill, h } from '../dom';
import { count, duration, percent, position, rate } from '../format';
import { sparkline } from '../sparkline';
import type { ConsoleProjection, Overview } from '../types';
import { type PageContext, poll, stateBadge, type Stop } from '../ui';

export const OVERVIEW_POLL_MS = 2_000;

const COLUMNS = [
  'Projection',
  'Store',
  'Gen',
  'State',
  'Checkpoint',
  'Head',
  'Behind',
  'Lag',
  'Rate',
  'Parked',
  'Held',
  'Node',
  'Last minutes',
];

export function overviewPage(main: HTMLElement, context: PageContext): Stop {
  const body = h('tbody', {});
  const summary = h('p', { class: 'summary', 'aria-live': 'polite' }, 'Loading…');
  const broken = h('section', { 'aria-labelledby': 'broken-title', hidden: true });
  const rows = new Map<string, HTMLTableRowElement>();
  fill(
    main,
    h('h1', {}, 'Projections'),
    summary,
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'overview', 'aria-describedby': 'overview-caption' },
        h(
          'caption',
          { id: 'overview-caption' },
          'State, position and lag of every projection; updates every 2 s.',
        ),
        h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', { scope: 'col' }, c)))),
        body,
      ),
    ),
    broken,
  );

  return poll(
    OVERVIEW_POLL_MS,
    async () => {
      const overview = await api<Overview>('GET', '/admin/console/overview');
      const names = new Set(overview.projections.map((p) => p.name));
      for (const [name, row] of rows) {
        if (!names.has(name)) {
          row.remove();
          rows.delete(name);
        }
      }
      for (const projection of overview.projections) {
        let row = rows.get(projection.name);
        if (row === undefined) {
          row = h(
            'tr',
            { 'data-projection': projection.name },
            h(
              'th',
              { scope: 'row' },
              h('a', { href: `#/p/${encodeURIComponent(projection.name)}` }, projection.name),
            ),
          );
          rows.set(projection.name, row);
        }
        // The name cell (with its link, which may have the focus) stays; the others are refilled.
        row.replaceChildren(row.firstElementChild!, ...cells(projection).map((cell) => h('td', {}, cell)));
        body.append(row);
      }
      const behind = overview.projections.filter((p) => p.live !== null && p.live.behind !== '0').length;
      fill(
        summary,
        `${overview.projections.length} projection(s), ${behind} behind the head; ` +
          `updated ${new Date(overview.at).toLocaleTimeString()}.`,
      );
      renderBroken(broken, overview, names);
    },
    context,
  );
}

function cells(projection: ConsoleProjection): Child[] {
  const live = projection.live;
  const rebuild = projection.rebuild;
  const parkedLink = (n: number) =>
    n === 0 ? '0' : h('a', { href: `#/p/${encodeURIComponent(projection.name)}/parked` }, count(n));
  return [
    projection.store ?? '–',
    live?.generation ?? '–',
    h(
      'span',
      { class: 'state-cell' },
      stateBadge(projection.state),
      rebuild === null
        ? null
        : h('span', { class: 'rebuild-note' }, ` g${rebuild.generation} ${percent(rebuild.progress)}`),
    ),
    position(live?.checkpoint),
    position(live?.head),
    position(live?.behind),
    duration(live?.lagSeconds),
    rate(live?.eventsPerSecond),
    live === null ? '–' : parkedLink(live.parked),
    live === null ? '–' : count(live.held),
    ownerCell(projection),
    sparkline(projection.history ?? []),
  ];
}

/**
 * The node holding the projection's lease (issue #15); none while it waits for one, or on one process
 * without a shared coordination store. A segmented projection lists each node with the segments it holds.
 */
function ownerCell(projection: ConsoleProjection): Child {
  const segments = projection.segments ?? [];
  if (segments.length > 0) {
    const byNode = new Map<string, number[]>();
    for (const segment of segments) {
      const node = segment.owner?.node ?? '–';
      byNode.set(node, [...(byNode.get(node) ?? []), segment.segment]);
    }
    const title = [...byNode]
      .map(([node, held]) => `segment${held.length === 1 ? '' : 's'} ${held.join(', ')}: ${node}`)
      .join('; ');
    return h('span', { title, class: 'segment-owners' }, [...byNode.keys()].join(', '));
  }
  return projection.owner
    ? h(
        'span',
        { title: "the node holding this projection's lease: it runs the projection" },
        projection.owner,
      )
    : h('span', { class: 'muted', title: 'no node holds its lease (or one process runs everything)' }, '–');
}

function renderBroken(section: HTMLElement, overview: Overview, running: ReadonlySet<string>): void {
  // A broken file the admin API already lists as a projection (state broken-definition) is not repeated.
  const broken = (overview.broken ?? []).filter((b) => b.name === undefined || !running.has(b.name));
  section.hidden = broken.length === 0;
  if (broken.length === 0) return;
  fill(
    section,
    h('h2', { id: 'broken-title' }, 'Definition files not running'),
    h(
      'p',
      {},
      'These files have errors, so they were skipped at start. Fix them (`prism validate`) and restart.',
    ),
    h(
      'ul',
      { class: 'broken' },
      ...broken.map((b) =>
        h(
          'li',
          {},
          h('strong', {}, b.name ?? b.file),
          b.name === undefined ? null : h('span', { class: 'muted' }, ` (${b.file})`),
          h('ul', { class: 'problems' }, ...b.errors.map((e) => h('li', {}, h('code', {}, e)))),
        ),
      ),
    ),
  );
}
