/** Widgets shared by the console's pages: state badges, messages, confirmations, tables, polling. */
import { ApiError } from './api';
import { type Child, fill, h } from './dom';
import { json } from './format';
import { stateStyle } from './states';
import type { EntryDifference } from './types';
import { highlightYaml } from './yaml-highlight';

/** What every page gets from the shell. */
export interface PageContext {
  /** The key was refused (401/403): back to the key form, with the reason. */
  keyRefused(error: ApiError): void;
  /** Shows the connection state in the header: updated now, or the error that stopped updates. */
  connection(error: unknown): void;
}

/** A page's cleanup: stops its polling when the user goes elsewhere. */
export type Stop = () => void;

export function stateBadge(state: string): HTMLElement {
  const style = stateStyle(state);
  return h('span', { class: `state state-${style.tone}`, title: style.meaning, 'data-state': state }, state);
}

/** Words for any failure (ApiError says them itself). */
export function describe(error: unknown): { message: string; details: readonly string[] } {
  if (error instanceof ApiError) return { message: error.message, details: error.details };
  if (error instanceof Error) return { message: error.message, details: [] };
  return { message: `Something went wrong in the console: ${String(error)}`, details: [] };
}

export function errorBox(error: unknown): HTMLElement {
  const { message, details } = describe(error);
  return h(
    'div',
    { class: 'message message-error', role: 'alert' },
    h('p', {}, message),
    details.length === 0
      ? null
      : h('ul', { class: 'problems' }, ...details.map((d) => h('li', {}, h('code', {}, d)))),
  );
}

/** Shows a failure in `area`, except a refused key, which sends the user back to the key form. */
export function showError(area: HTMLElement, error: unknown, context: PageContext): void {
  if (error instanceof ApiError && error.keyRefused) context.keyRefused(error);
  else fill(area, errorBox(error));
}

export function infoBox(...children: Child[]): HTMLElement {
  return h('div', { class: 'message message-info', role: 'status' }, ...children);
}

export function successBox(...children: Child[]): HTMLElement {
  return h('div', { class: 'message message-ok', role: 'status' }, ...children);
}

/** A definition list of label/value pairs. */
export function facts(pairs: readonly (readonly [string, Child])[]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    ...pairs.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]),
  );
}

export function yamlBlock(source: string, label: string): HTMLElement {
  const code = h('code', {});
  for (const token of highlightYaml(source)) {
    code.append(token.kind === 'text' ? token.text : h('span', { class: `yaml-${token.kind}` }, token.text));
  }
  return h('pre', { class: 'yaml', tabindex: 0, 'aria-label': label }, code);
}

/** Field-level differences (verify and plan): key, what differs, live value, rebuilt/new value. */
export function differencesTable(differences: readonly EntryDifference[], rebuiltLabel: string): HTMLElement {
  const rows = differences.flatMap((difference) => {
    if (difference.kind === 'different' && difference.fields !== undefined && difference.fields.length > 0) {
      return difference.fields.map((field, index) =>
        h(
          'tr',
          {},
          index === 0 ? h('th', { scope: 'row', rowspan: difference.fields!.length }, difference.key) : null,
          index === 0 ? h('td', { rowspan: difference.fields!.length }, 'different') : null,
          h('td', {}, h('code', {}, field.field)),
          h('td', {}, h('pre', { class: 'value' }, json(field.live))),
          h('td', {}, h('pre', { class: 'value' }, json(field.rebuilt))),
        ),
      );
    }
    return [
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, difference.key),
        h('td', {}, difference.kind),
        h('td', {}, '(whole entry)'),
        h('td', {}, h('pre', { class: 'value' }, json(difference.live ?? null))),
        h('td', {}, h('pre', { class: 'value' }, json(difference.rebuilt ?? null))),
      ),
    ];
  });
  return h(
    'table',
    { class: 'differences' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Key'),
        h('th', { scope: 'col' }, 'Difference'),
        h('th', { scope: 'col' }, 'Field'),
        h('th', { scope: 'col' }, 'Live view'),
        h('th', { scope: 'col' }, rebuiltLabel),
      ),
    ),
    h('tbody', {}, ...rows),
  );
}

/**
 * Asks before an operation, saying what it will do. Resolves true when confirmed. A native <dialog>:
 * modal, focus kept inside, Escape cancels.
 */
export function confirmAction(title: string, explanation: string, actionLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' });
    const done = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => done(false) }, 'Cancel');
    const confirm = h('button', { type: 'button', class: 'danger', onclick: () => done(true) }, actionLabel);
    fill(
      dialog,
      h('h2', { id: 'confirm-title' }, title),
      h('p', {}, explanation),
      h('div', { class: 'actions' }, cancel, confirm),
    );
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/**
 * Runs `work` now and again `everyMs` after each run ends (never overlapping), until stopped. Failures go to
 * `failed`; polling goes on (a server that comes back is picked up without a reload) unless the key was
 * refused.
 */
export function poll(everyMs: number, work: () => Promise<void>, context: PageContext): Stop {
  let stopped = false;
  let timer: number | undefined;
  const run = async () => {
    try {
      await work();
      if (!stopped) context.connection(null);
    } catch (error) {
      if (stopped) return;
      if (error instanceof ApiError && error.keyRefused) {
        context.keyRefused(error);
        return;
      }
      context.connection(error);
    }
    if (!stopped) timer = window.setTimeout(() => void run(), everyMs);
  };
  void run();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}
