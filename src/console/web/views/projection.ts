/**
 * One projection: status, a rebuild in progress (percent, rate, ETA), the operations (each confirmed with
 * what it will do), verify with its field-level differences, the generations and the definition.
 */
import { api, segment } from '../api';
import { type Child, fill, h } from '../dom';
import { count, duration, position } from '../format';
import type {
  DefinitionSource,
  Generation,
  ProjectionDetail,
  ProjectionStatus,
  RebuildStarted,
  VerifyReport,
} from '../types';
import {
  confirmAction,
  differencesTable,
  facts,
  infoBox,
  type PageContext,
  poll,
  showError,
  stateBadge,
  type Stop,
  successBox,
  yamlBlock,
} from '../ui';
import { rebuildView, statusFacts } from './projection-status';

export const PROJECTION_POLL_MS = 2_000;

type Operation = 'pause' | 'resume' | 'rebuild' | 'reset';

export function projectionPage(main: HTMLElement, context: PageContext, name: string): Stop {
  const path = `/admin/projections/${segment(name)}`;
  const heading = h('h1', {}, name);
  const statusArea = h('section', { 'aria-labelledby': 'status-title' });
  const rebuildArea = h('section', { 'aria-labelledby': 'rebuild-title', hidden: true });
  const operationResult = h('div', { class: 'result', 'aria-live': 'polite' });
  const verifyResult = h('div', { class: 'result', 'aria-live': 'polite' });
  const generationsArea = h('div', {});
  const definitionArea = h('div', {}, 'Loading the definition…');
  let latest: ProjectionStatus | undefined;

  const operate = async (operation: Operation) => {
    const confirmed = await confirmAction(
      `${capitalized(operation)} ${name}?`,
      explain(operation, name, latest),
      capitalized(operation),
    );
    if (!confirmed) return;
    fill(operationResult, infoBox(`${capitalized(operation)}: sending…`));
    try {
      if (operation === 'rebuild' || operation === 'reset') {
        const started = await api<RebuildStarted>('POST', `${path}/${operation}`);
        fill(operationResult, successBox(started.message));
      } else {
        const status = await api<ProjectionStatus>('POST', `${path}/${operation}`);
        fill(
          operationResult,
          successBox(`${capitalized(operation)}d. State now: `, stateBadge(status.state)),
        );
      }
    } catch (error) {
      showError(operationResult, error, context);
    }
  };

  const verify = async (button: HTMLButtonElement) => {
    button.disabled = true;
    fill(
      verifyResult,
      infoBox(
        'Verifying: the view is rebuilt in memory from the log and compared with the live one, entry by entry…',
      ),
    );
    try {
      const report = await api<VerifyReport>('POST', `${path}/verify`, { maxDifferences: 50 });
      fill(verifyResult, verifyReport(report));
    } catch (error) {
      showError(verifyResult, error, context);
    } finally {
      button.disabled = false;
    }
  };

  const verifyButton: HTMLButtonElement = h(
    'button',
    { type: 'button', onclick: () => void verify(verifyButton) },
    'Verify',
  );
  fill(
    main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Projections'), ' / ', name),
    heading,
    statusArea,
    rebuildArea,
    h(
      'section',
      { 'aria-labelledby': 'operations-title' },
      h('h2', { id: 'operations-title' }, 'Operations'),
      h(
        'div',
        { class: 'actions' },
        ...(['pause', 'resume', 'rebuild', 'reset'] as const).map((operation) =>
          h(
            'button',
            {
              type: 'button',
              class: operation === 'pause' || operation === 'resume' ? '' : 'warning',
              onclick: () => void operate(operation),
            },
            capitalized(operation),
          ),
        ),
        h('a', { class: 'button-link', href: `#/p/${encodeURIComponent(name)}/parked` }, 'Parked events'),
        h('a', { class: 'button-link', href: `#/plan/${encodeURIComponent(name)}` }, 'Plan a change'),
      ),
      operationResult,
    ),
    h(
      'section',
      { 'aria-labelledby': 'verify-title' },
      h('h2', { id: 'verify-title' }, 'Verify'),
      h(
        'p',
        {},
        'Rebuilds the view in memory from the log and compares it with the live view, field by field. ' +
          'If the view keeps moving it is paused for a moment to compare at one position.',
      ),
      verifyButton,
      verifyResult,
    ),
    h(
      'section',
      { 'aria-labelledby': 'generations-title' },
      h('h2', { id: 'generations-title' }, 'Generations'),
      generationsArea,
    ),
    h(
      'section',
      { 'aria-labelledby': 'definition-title' },
      h('h2', { id: 'definition-title' }, 'Definition'),
      definitionArea,
    ),
  );

  let definitionAsked = false;
  const showDefinition = (status: ProjectionDetail) => {
    if (definitionAsked) return;
    definitionAsked = true;
    // A definition skipped at start has no running plan to show: its errors are in the status above.
    if (status.state === 'broken-definition') {
      fill(
        definitionArea,
        h('p', {}, `Not running: ${status.file ?? 'its file'} has errors (listed above).`),
      );
      return;
    }
    api<DefinitionSource>('GET', `${path}/definition`)
      .then((definition) => fill(definitionArea, ...definitionView(definition)))
      .catch((error: unknown) => showError(definitionArea, error, context));
  };

  return poll(
    PROJECTION_POLL_MS,
    async () => {
      const status = await api<ProjectionDetail>('GET', path);
      // A skipped definition never had a generation; only a projection that ran has them to list.
      const generations =
        status.state === 'broken-definition'
          ? []
          : (await api<{ generations: readonly Generation[] }>('GET', `${path}/generations`)).generations;
      latest = status;
      showDefinition(status);
      fill(heading, name, ' ', stateBadge(status.state));
      fill(statusArea, h('h2', { id: 'status-title' }, 'Status'), statusFacts(status));
      rebuildArea.hidden = status.rebuild === null;
      if (status.rebuild !== null) fill(rebuildArea, ...rebuildView(status.rebuild));
      fill(generationsArea, generationsTable(generations));
    },
    context,
  );
}

function generationsTable(generations: readonly Generation[]): Child {
  if (generations.length === 0) return h('p', {}, 'No generation recorded yet.');
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Generation', 'Status', 'Fingerprint', 'Created'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      ...[...generations]
        .reverse()
        .map((g) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, `g${g.generation}`),
            h('td', {}, g.status),
            h('td', {}, h('code', { title: g.fingerprint }, g.fingerprint.slice(0, 12))),
            h('td', {}, new Date(g.createdAt).toLocaleString()),
          ),
        ),
    ),
  );
}

function definitionView(definition: DefinitionSource): Child[] {
  const parts: Child[] = [
    facts([
      ['Store', definition.store],
      ['File', definition.file ?? 'no file in the projections folder has this name now'],
      ['Fingerprint (running)', h('code', {}, definition.fingerprint.slice(0, 12))],
    ]),
  ];
  if (definition.source !== null && !definition.fileMatchesRunning) {
    parts.push(
      h(
        'div',
        { class: 'message message-warn', role: 'note' },
        h(
          'p',
          {},
          'The file changed since Prism started: it is not what runs. Plan it before restarting; the running definition is shown below it.',
        ),
        definition.fileProblems.length === 0
          ? null
          : h(
              'ul',
              { class: 'problems' },
              ...definition.fileProblems.map((p) => h('li', {}, h('code', {}, p))),
            ),
      ),
    );
  }
  if (definition.source !== null)
    parts.push(yamlBlock(definition.source, `Definition file ${definition.file ?? ''}`));
  if ((definition.source === null || !definition.fileMatchesRunning) && definition.running !== null) {
    parts.push(
      h('h3', {}, 'Running definition (normalized)'),
      yamlBlock(definition.running, 'Running definition'),
    );
  }
  return parts;
}

function verifyReport(report: VerifyReport): Child {
  const clean = report.total === 0;
  return h(
    'div',
    { class: 'verify-report' },
    clean
      ? successBox(
          `No differences: the live view matches a rebuild from the log at position ${position(report.checkpoint)}.`,
        )
      : h(
          'div',
          { class: 'message message-error', role: 'status' },
          h(
            'p',
            {},
            `${count(report.total)} difference(s) at position ${position(report.checkpoint)}: ${report.counts.different} different, ${report.counts.onlyLive} only in the live view, ${report.counts.onlyRebuilt} only in the rebuild.`,
          ),
        ),
    report.settled
      ? null
      : infoBox(
          'The view kept moving during the whole check: some differences may be entries in flight. Run it again.',
        ),
    facts([
      ['Generation', `g${report.generation}`],
      ['Events folded', count(report.eventsFolded)],
      ['Set aside (parked/held)', count(report.eventsSetAside ?? 0)],
      ['Entries live / rebuilt', `${count(report.liveEntries)} / ${count(report.rebuiltEntries)}`],
      ['Paused to compare', report.paused ? 'yes' : 'no'],
      ['Took', duration(report.durationMs / 1000)],
    ]),
    report.differences.length === 0 ? null : differencesTable(report.differences, 'Rebuilt from the log'),
  );
}

function explain(operation: Operation, name: string, status: ProjectionStatus | undefined): string {
  const next =
    status?.live === null || status?.live === undefined
      ? 'a new generation'
      : `generation ${status.live.generation + 1}`;
  const events =
    status?.live?.head === undefined
      ? ''
      : ` It replays the log up to position ${position(status.live.head)} (and what arrives meanwhile).`;
  switch (operation) {
    case 'pause':
      return `"${name}" stops applying events (its live generation and any rebuild) until you resume it, also across restarts. Readers keep seeing the view as it is now while it falls behind the log.`;
    case 'resume':
      return `"${name}" applies events again from its checkpoint and catches up with the head of the log.`;
    case 'rebuild':
      return `${capitalized(next)} of "${name}" is built from the start of the log beside the live view, which keeps serving reads. It is swapped in when it reaches the head, and the old generation is dropped.${events}`;
    case 'reset':
      return `"${name}" is reset to position 0: ${next} is rebuilt from the start of the log beside the live view (which keeps serving) and swapped in at the head. The view is never emptied.${events}`;
  }
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
