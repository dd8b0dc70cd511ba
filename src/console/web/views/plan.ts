/** Plan: paste (or start from a running projection's file) a changed definition and see `prism plan`'s answer. */
import { api, segment } from '../api';
import { type Child, fill, h } from '../dom';
import { count, duration, position, rate, shapeChange } from '../format';
import type { DefinitionSource, PlanReport } from '../types';
import { differencesTable, errorBox, facts, infoBox, type PageContext, showError, type Stop } from '../ui';

export function planPage(main: HTMLElement, context: PageContext, start: string | undefined): Stop {
  const text = h('textarea', { id: 'plan-definition', rows: 22, spellcheck: 'false', autocomplete: 'off' });
  const file = h('input', { id: 'plan-file', type: 'text', value: 'console.yaml', autocomplete: 'off' });
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Plan');

  const plan = async (event: Event) => {
    event.preventDefault();
    if (text.value.trim() === '') {
      fill(result, errorBox(new Error('Paste a definition first.')));
      return;
    }
    submit.disabled = true;
    fill(
      result,
      infoBox(
        'Planning: counting the events to replay and folding a sample of streams with both definitions…',
      ),
    );
    try {
      const report = await api<PlanReport>('POST', '/admin/plan', {
        definition: text.value,
        filename: file.value || 'console.yaml',
      });
      fill(result, planReport(report));
    } catch (error) {
      showError(result, error, context);
    } finally {
      submit.disabled = false;
    }
  };

  fill(
    main,
    h('h1', {}, 'Plan a definition change'),
    h(
      'p',
      {},
      'What deploying this definition would do, asked of the running Prism: rebuild or not, events to replay, ' +
        'an estimate, shape changes, and a sample diff. Nothing is changed.',
    ),
    h(
      'form',
      { class: 'plan-form', onsubmit: (event) => void plan(event) },
      h('label', { for: 'plan-definition' }, 'Definition (YAML)'),
      text,
      h('label', { for: 'plan-file' }, 'File name (used in error messages)'),
      file,
      h('div', { class: 'actions' }, submit),
    ),
    result,
  );

  if (start !== undefined) {
    api<DefinitionSource>('GET', `/admin/projections/${segment(start)}/definition`)
      .then((definition) => {
        if (text.value !== '') return;
        text.value = definition.source ?? definition.running ?? '';
        file.value = definition.file ?? `${start}.yaml`;
      })
      .catch((error: unknown) => showError(result, error, context));
  }
  return () => undefined;
}

function planReport(report: PlanReport): Child {
  const verdict =
    report.action === 'none'
      ? 'NO CHANGE: the running generation already has this definition'
      : report.action === 'rebuild'
        ? 'REBUILD'
        : report.action === 'backfill'
          ? 'BACKFILL (a new projection)'
          : report.action.toUpperCase();
  const approx = report.replay.approximate ? '≈ ' : '';
  return h(
    'div',
    { class: 'plan-report' },
    h(
      'h2',
      {},
      `plan ${report.projection}: `,
      h('span', { class: `plan-action plan-${report.action}` }, verdict),
    ),
    h('p', {}, report.reason),
    facts([
      [
        'Fingerprint',
        `${report.fingerprint.active?.slice(0, 8) ?? 'none'} → ${report.fingerprint.new.slice(0, 8)}`,
      ],
      ['Active generation', report.activeGeneration === null ? 'none' : `g${report.activeGeneration}`],
      [
        'Events to replay',
        `${approx}${count(report.replay.events)} (log head ${position(report.replay.head)})`,
      ],
      [
        'Estimated duration',
        `${approx}${duration(report.estimate.seconds)} at ${rate(report.estimate.eventsPerSecond)} (${report.estimate.rate === 'measured' ? 'measured' : 'default rate'})`,
      ],
    ]),
    Object.keys(report.replay.byType).length === 0
      ? null
      : h(
          'table',
          {},
          h('caption', {}, 'Events to replay by type'),
          h(
            'thead',
            {},
            h('tr', {}, h('th', { scope: 'col' }, 'Event type'), h('th', { scope: 'col' }, 'Events')),
          ),
          h(
            'tbody',
            {},
            ...Object.entries(report.replay.byType).map(([type, n]) =>
              h('tr', {}, h('th', { scope: 'row' }, type), h('td', {}, count(n))),
            ),
          ),
        ),
    h('h3', {}, 'Shape changes'),
    report.shapeChanges.length === 0
      ? h('p', {}, 'None.')
      : h('ul', { class: 'shape-changes' }, ...report.shapeChanges.map((c) => h('li', {}, shapeChange(c)))),
    h('h3', {}, 'Sample'),
    h(
      'p',
      {},
      `${count(report.sample.streams)} stream(s), ${count(report.sample.events)} event(s)` +
        (report.sample.comparedWith === null
          ? ' folded with the new definition (nothing runs yet to compare with).'
          : `, current vs new definition: ${report.sample.counts.changed} changed, ${report.sample.counts.added} added, ` +
            `${report.sample.counts.removed} removed, ${report.sample.counts.unchanged} unchanged.`),
    ),
    report.sample.differences.length === 0
      ? null
      : differencesTable(report.sample.differences, 'New definition'),
    report.warnings.length === 0
      ? null
      : h(
          'div',
          { class: 'message message-warn', role: 'note' },
          h('ul', {}, ...report.warnings.map((w) => h('li', {}, w))),
        ),
  );
}
