/**
 * The status parts of a projection's page: the live generation's figures, who runs it (the lease holder,
 * or each segment's), a stall with its cause, and a rebuild in progress (percent, rate, ETA).
 */
import { type Child, h } from '../dom';
import { count, duration, percent, position, rate } from '../format';
import type { GenerationStatus, ProjectionDetail, SegmentStatus } from '../types';
import { facts, stateBadge } from '../ui';

export function statusFacts(status: ProjectionDetail): Child {
  const live = status.live;
  const rows: [string, Child][] =
    live === null ? [['Live generation', 'none yet']] : generationFacts(live, 'Live generation');
  if (status.owner !== undefined && (status.segments ?? []).length === 0)
    rows.push([
      'Runs on',
      status.owner === null ? 'no node holds its lease right now' : ownerText(status.owner),
    ]);
  if (status.reportedAt !== undefined)
    rows.push(['Figures from', `its owner's report of ${new Date(status.reportedAt).toLocaleTimeString()}`]);
  return h(
    'div',
    {},
    facts(rows),
    status.errors === undefined || status.errors.length === 0
      ? null
      : h(
          'div',
          { class: 'message message-error', role: 'alert' },
          h('p', {}, `Its definition file ${status.file ?? ''} has errors, so it was skipped at start:`),
          h('ul', { class: 'problems' }, ...status.errors.map((error) => h('li', {}, h('code', {}, error)))),
          h('p', {}, 'Fix them (`prism validate` says the same) and restart Prism.'),
        ),
    status.stall == null
      ? null
      : h(
          'div',
          { class: 'message message-warn', role: 'status' },
          h(
            'p',
            {},
            `Stalled since ${new Date(status.stall.since).toLocaleString()}: its ${storeRole(status.stall.store)} ` +
              `(${status.stall.kind}) is not answering. Prism retries on its own; nothing is lost.`,
          ),
          h('pre', { class: 'value' }, status.stall.lastError),
        ),
    (status.segments ?? []).length === 0 ? null : segmentsTable(status.segments ?? []),
    live?.lastError == null
      ? null
      : h(
          'div',
          { class: 'message message-error' },
          h(
            'p',
            {},
            `Last error (${live.lastError.kind ?? 'unknown'}, ${live.lastError.attempts ?? 1} attempt(s)`,
            live.lastError.at === undefined ? '' : `, ${new Date(live.lastError.at).toLocaleString()}`,
            '):',
          ),
          h('pre', { class: 'value' }, live.lastError.message),
        ),
    (status.notes ?? []).length === 0
      ? null
      : h(
          'ul',
          { class: 'notes', 'aria-label': 'Notes' },
          ...(status.notes ?? []).map((note) => h('li', {}, note)),
        ),
  );
}

function storeRole(role: string): string {
  if (role === 'event-store') return 'event log';
  if (role === 'view-store') return 'view store';
  return role;
}

function ownerText(owner: NonNullable<ProjectionDetail['owner']>): string {
  return `${owner.node} (lease held for ${duration(owner.leaseAgeMs / 1000)}, epoch ${owner.epoch})`;
}

/** A segmented projection (issue #15): each segment's state, checkpoint and the node holding its lease. */
function segmentsTable(segments: readonly SegmentStatus[]): Child {
  return h(
    'table',
    { class: 'segments', 'aria-label': 'Segments' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Segment', 'State', 'Checkpoint', 'Rebuild checkpoint', 'Runs on'].map((c) =>
          h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...segments.map((segment) =>
        h(
          'tr',
          { 'data-segment': segment.segment },
          h('td', {}, segment.segment),
          h('td', {}, stateBadge(segment.state)),
          h('td', {}, segment.checkpoint === null ? '–' : position(segment.checkpoint)),
          h('td', {}, segment.rebuildCheckpoint === null ? '–' : position(segment.rebuildCheckpoint)),
          h('td', {}, segment.owner == null ? 'no node holds its lease' : ownerText(segment.owner)),
        ),
      ),
    ),
  );
}

function generationFacts(generation: GenerationStatus, label: string): [string, Child][] {
  return [
    [label, `g${generation.generation}`],
    ['Checkpoint', position(generation.checkpoint)],
    ['Head', position(generation.head)],
    ['Behind', `${position(generation.behind)} event(s)`],
    ['Lag', duration(generation.lagSeconds)],
    ['Rate', rate(generation.eventsPerSecond)],
    ['Parked / held', `${count(generation.parked)} / ${count(generation.held)}`],
  ];
}

export function rebuildView(rebuild: GenerationStatus): Child[] {
  const fraction = Math.max(0, Math.min(1, rebuild.progress));
  return [
    h('h2', { id: 'rebuild-title' }, `Rebuild in progress: generation ${rebuild.generation}`),
    h(
      'div',
      { class: 'progress-line' },
      h('progress', {
        id: 'rebuild-progress',
        max: 100,
        value: (fraction * 100).toFixed(1),
        'aria-label': 'Rebuild progress',
      }),
      h('strong', { class: 'rebuild-percent' }, percent(fraction)),
    ),
    facts([
      ['Rate', rate(rebuild.eventsPerSecond)],
      ['ETA', rebuild.state === 'paused' ? 'paused' : duration(rebuild.etaSeconds)],
      ['Checkpoint / head', `${position(rebuild.checkpoint)} / ${position(rebuild.head)}`],
      ['State', stateBadge(rebuild.state)],
    ]),
    h(
      'p',
      { class: 'muted' },
      'The live generation keeps serving reads until this one reaches the head and is swapped in.',
    ),
  ];
}
