import { timeBoxed, CheckTimedOutError } from './health/time-box';
import { JsonLogger, recordOf } from './logging/json-logger';
import { withFields } from './logging/log-fields';
import { resolveLogFormat } from './logging/log-format';
import { redactSecrets } from './logging/redact';
import { commandOutcome, PrismMetrics } from './metrics/prism-metrics';
import { parsePrometheusText, sampleValue } from './prometheus-text';

describe('redactSecrets', () => {
  it('hides the password of every URL and keeps the rest', () => {
    expect(
      redactSecrets('cannot reach postgres://prism:s3cret@db:5432/prism or bolt://neo4j:pw@graph:7687'),
    ).toBe('cannot reach postgres://prism:***@db:5432/prism or bolt://neo4j:***@graph:7687');
    expect(redactSecrets('http://127.0.0.1:9200 and postgres://postgres@h/db')).toBe(
      'http://127.0.0.1:9200 and postgres://postgres@h/db',
    );
  });
});

describe('JsonLogger', () => {
  it('writes one JSON object per line with level, context, fields and a redacted message', () => {
    const lines: string[] = [];
    const logger = new JsonLogger({ write: (line) => lines.push(line) });
    logger.warn(
      'parked at 42 via postgres://u:hunter2@h/db',
      withFields({ projection: 'p', position: 42n, correlationId: 'c-1' }),
      'Projections',
    );
    logger.log('hello', 'Prism');
    logger.debug('not written at the default levels', 'Prism');
    expect(lines).toHaveLength(2);
    const [warn, info] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(warn).toEqual({
      time: expect.any(String),
      level: 'warn',
      context: 'Projections',
      message: 'parked at 42 via postgres://u:***@h/db',
      projection: 'p',
      position: '42',
      correlationId: 'c-1',
    });
    expect(info).toMatchObject({ level: 'info', context: 'Prism', message: 'hello' });
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('takes an error stack from Nest’s (message, stack, context) convention and skips ignored contexts', () => {
    expect(recordOf('error', 'boom', ['Error: boom\n    at x', 'Prism'])).toMatchObject({
      level: 'error',
      context: 'Prism',
      message: 'boom',
      stack: 'Error: boom\n    at x',
    });
    const lines: string[] = [];
    const logger = new JsonLogger({
      write: (line) => lines.push(line),
      ignoreErrorContexts: ['ExceptionHandler'],
    });
    logger.error('start failed', undefined, 'ExceptionHandler');
    expect(lines).toEqual([]);
  });
});

describe('resolveLogFormat', () => {
  it('uses PRISM_LOG_FORMAT when set, else pretty on a terminal and json otherwise', () => {
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat(undefined, true)).toBe('pretty');
    expect(resolveLogFormat(undefined, undefined)).toBe('json');
  });
});

describe('timeBoxed', () => {
  it('rejects a read that never answers after the time box', async () => {
    // Fake timers: the time box is what rejects, not how fast the machine is (issue #12).
    jest.useFakeTimers();
    try {
      let settled = false;
      const boxed = timeBoxed(() => new Promise<never>(() => undefined), 50).finally(() => (settled = true));
      const rejected = expect(boxed).rejects.toBeInstanceOf(CheckTimedOutError);
      await jest.advanceTimersByTimeAsync(49);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await rejected;
      await expect(timeBoxed(() => Promise.resolve(7), 50)).resolves.toBe(7);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('PrismMetrics', () => {
  it('counts batches and commands and sets gauges from the runtime status at scrape time', async () => {
    const metrics = new PrismMetrics();
    metrics.batchCommitted({ projection: 'p', generation: 2, events: 3, seconds: 0.01 });
    metrics.batchCommitted({ projection: 'p', generation: 2, events: 4, seconds: 0.02 });
    metrics.storeError({ projection: 'p', generation: 2, kind: 'transient' });
    metrics.commandFinished({ method: 'POST', route: '/orders', status: 201, seconds: 0.003 });
    metrics.commandFinished({ method: 'POST', route: '/orders', status: 503, seconds: 0.5 });
    const generation = {
      generation: 2,
      fingerprint: 'f',
      state: 'catching-up' as const,
      checkpoint: 7n,
      head: 10n,
      behind: 3n,
      lagSeconds: 1.5,
      eventsPerSecond: 0,
      eventsApplied: 7,
      catchUp: null,
      progress: 0.7,
      etaSeconds: null,
      parked: 1,
      held: 2,
      lastError: null,
      stall: null,
    };
    const samples = parsePrometheusText(
      await metrics.scrape([
        { name: 'p', state: 'catching-up', live: generation, rebuild: null, stall: null, notes: [] },
      ]),
    );
    const labels = { projection: 'p', generation: '2' };
    expect(sampleValue(samples, 'prism_projection_events_processed_total', labels)).toBe(7);
    expect(sampleValue(samples, 'prism_projection_batch_duration_seconds_count', labels)).toBe(2);
    expect(
      sampleValue(samples, 'prism_projection_store_errors_total', { ...labels, kind: 'transient' }),
    ).toBe(1);
    expect(sampleValue(samples, 'prism_projection_lag_events', { ...labels, role: 'live' })).toBe(3);
    expect(sampleValue(samples, 'prism_projection_lag_seconds', { ...labels, role: 'live' })).toBe(1.5);
    expect(sampleValue(samples, 'prism_projection_held_events', { ...labels, role: 'live' })).toBe(2);
    expect(sampleValue(samples, 'prism_commands_total', { status: '503', outcome: 'failed' })).toBe(1);
    expect(sampleValue(samples, 'prism_commands_total', { status: '201', outcome: 'accepted' })).toBe(1);

    // A generation that is gone disappears from the gauges at the next scrape.
    const later = parsePrometheusText(await metrics.scrape([]));
    expect(sampleValue(later, 'prism_projection_lag_events', { ...labels, role: 'live' })).toBeUndefined();
    expect(sampleValue(later, 'prism_projection_events_processed_total', labels)).toBe(7);
  });

  it('exposes one state series per projection and state, the stall by store, and broken definitions', async () => {
    const metrics = new PrismMetrics();
    const since = new Date(10_000);
    const samples = parsePrometheusText(
      await metrics.scrape(
        [
          {
            name: 'search',
            state: 'stalled',
            live: null,
            rebuild: null,
            stall: { store: 'view-store', kind: 'elasticsearch', since, lastError: 'no answer' },
            notes: [],
          },
        ],
        ['projections/broken.yaml'],
        40_000,
      ),
    );
    expect(sampleValue(samples, 'prism_projection_state', { projection: 'search', state: 'stalled' })).toBe(
      1,
    );
    expect(sampleValue(samples, 'prism_projection_state', { projection: 'search', state: 'live' })).toBe(0);
    expect(
      sampleValue(samples, 'prism_projection_stalled_seconds', {
        projection: 'search',
        store: 'view-store',
        kind: 'elasticsearch',
      }),
    ).toBe(30);
    expect(
      sampleValue(samples, 'prism_projection_state', {
        projection: 'projections/broken.yaml',
        state: 'broken-definition',
      }),
    ).toBe(1);
  });

  it('names the outcome of a status code', () => {
    expect([202, 404, 409, 500].map(commandOutcome)).toEqual(['accepted', 'rejected', 'rejected', 'failed']);
  });
});
