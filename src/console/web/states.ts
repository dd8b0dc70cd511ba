/**
 * Projection states as the admin API reports them (issue #12 fixes the set). Any other string is shown as
 * it comes, in a neutral style, so a state added on the server never breaks the page.
 */

export interface StateStyle {
  /** CSS class of the badge. */
  readonly tone: 'ok' | 'busy' | 'idle' | 'warn' | 'bad' | 'other';
  readonly meaning: string;
}

const KNOWN: Readonly<Record<string, StateStyle>> = {
  live: { tone: 'ok', meaning: 'at the head of the log, applying new events as they arrive' },
  'catching-up': { tone: 'busy', meaning: 'behind the head, applying events to catch up' },
  rebuilding: { tone: 'busy', meaning: 'a new generation is being built beside the live one' },
  starting: { tone: 'idle', meaning: 'starting: connecting to its store and reading its checkpoint' },
  paused: { tone: 'idle', meaning: 'paused by an operator: no events are applied until it is resumed' },
  stopped: { tone: 'idle', meaning: 'stopped (the server is shutting down)' },
  standby: { tone: 'idle', meaning: 'another Prism node holds its lease and runs it; this one stands by' },
  stalled: { tone: 'warn', meaning: 'no progress for a while: its store or the event log is not answering' },
  failed: { tone: 'bad', meaning: 'not running: see its notes and last error' },
  'broken-definition': { tone: 'bad', meaning: 'its definition file has errors, so it was skipped at start' },
  orphaned: {
    tone: 'warn',
    meaning: 'its definition was removed but its views remain: `prism drop` removes them',
  },
};

export function stateStyle(state: string): StateStyle {
  return Object.hasOwn(KNOWN, state)
    ? KNOWN[state]!
    : { tone: 'other', meaning: `reported by the server as "${state}"` };
}
