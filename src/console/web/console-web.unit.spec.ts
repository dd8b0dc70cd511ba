/** The console's pure parts: formatting, error words, sparkline geometry, YAML tokens, state styles. */
import { errorOf } from './api';
import { count, duration, json, percent, position, rate, shapeChange } from './format';
import { HEIGHT, sparklinePoints, WIDTH } from './sparkline';
import { stateStyle } from './states';
import { highlightYaml } from './yaml-highlight';

describe('format', () => {
  it('groups log positions without parsing them into a float (64-bit positions stay exact)', () => {
    expect(position('9223372036854775807')).toBe('9 223 372 036 854 775 807');
    expect(position('0')).toBe('0');
    expect(position(null)).toBe('–');
  });

  it('reads durations, rates, percentages and counts', () => {
    expect(duration(0)).toBe('0s');
    expect(duration(200)).toBe('3m 20s');
    expect(duration(7_500)).toBe('2h 5m');
    expect(duration(3 * 86_400 + 4 * 3_600 + 5)).toBe('3d 4h');
    expect(duration(null)).toBe('–');
    expect(rate(2.345)).toBe('2.3/s');
    expect(rate(54_710)).toBe('54 710/s');
    expect(percent(0.4234)).toBe('42.3%');
    expect(percent(1.2)).toBe('100.0%');
    expect(count(1234567)).toBe('1 234 567');
  });

  it('writes shape changes as plan does', () => {
    expect(shapeChange({ change: 'added', what: 'column nickname', to: 'text nullable' })).toBe(
      '+ column nickname text nullable',
    );
    expect(shapeChange({ change: 'removed', what: 'field price', from: 'long' })).toBe('− field price long');
    expect(shapeChange({ change: 'changed', what: 'column total', from: 'integer', to: 'bigint' })).toBe(
      '~ column total: integer → bigint',
    );
  });

  it('shows JSON values as text, markup included', () => {
    expect(json({ name: '<script>x</script>' })).toContain('"<script>x</script>"');
    expect(json(undefined)).toBe('absent');
  });
});

describe('error words', () => {
  it('says what each refusal means, keeping the server message', () => {
    const wrongKey = errorOf(401, { error: 'unauthorized', message: 'the API key is not valid' });
    expect(wrongKey.message).toMatch(/^The admin key was refused \(401\)/);
    expect(wrongKey.message).toContain('Prism does not know this key');
    expect(wrongKey.keyRefused).toBe(true);

    const writerKey = errorOf(403, { error: 'forbidden', message: 'needs admin' });
    expect(writerKey.message).toContain('needs a key with the admin role');
    expect(writerKey.keyRefused).toBe(true);

    const disabled = errorOf(403, { error: 'admin_api_disabled', message: 'set PRISM_API_KEYS' });
    expect(disabled.message).toContain('switched off');
    expect(disabled.keyRefused).toBe(false);

    const conflict = errorOf(409, { error: 'projection_not_running', message: 'it is failed' });
    expect(conflict.message).toBe('Not possible right now (409). it is failed');
    expect(conflict.code).toBe('projection_not_running');

    const invalid = errorOf(422, { error: 'invalid_definition', message: 'x', problems: ['a.yaml:1:1 bad'] });
    expect(invalid.details).toEqual(['a.yaml:1:1 bad']);
  });

  it('words an answer that is not JSON by its status', () => {
    expect(errorOf(502, undefined).message).toContain('internal error (502)');
    expect(errorOf(418, 'teapot').message).toBe('The request was refused (418).');
  });
});

describe('sparkline', () => {
  it('spreads the samples over the width and scales each series to its own maximum', () => {
    expect(sparklinePoints([0, 5, 10])).toBe(`0.0,${HEIGHT - 2}.0 60.0,${HEIGHT / 2}.0 ${WIDTH}.0,2.0`);
  });

  it('draws a flat line at the bottom for all zeros, and nothing for no samples', () => {
    expect(sparklinePoints([0, 0])).toBe(`0.0,${HEIGHT - 2}.0 ${WIDTH}.0,${HEIGHT - 2}.0`);
    expect(sparklinePoints([])).toBe('');
  });
});

describe('YAML highlighting', () => {
  const source = [
    '# a comment',
    'name: order_summary   # trailing',
    'version: 1',
    'source:',
    '  events: [A, B]',
    "  - upsert: 'doc == null ? 0 : 1'",
    'description: "<script>alert(1)</script>"',
    'url: http://x#not-a-comment',
  ].join('\n');

  it('gives back the source exactly when its tokens are joined', () => {
    expect(
      highlightYaml(source)
        .map((t) => t.text)
        .join(''),
    ).toBe(source);
  });

  it('tells comments, keys, strings, numbers and markup-looking strings apart', () => {
    const tokens = highlightYaml(source);
    const of = (kind: string) => tokens.filter((t) => t.kind === kind).map((t) => t.text);
    expect(of('comment')).toEqual(['# a comment', '# trailing']);
    expect(of('key')).toEqual(['name', 'version', 'source', 'events', 'upsert', 'description', 'url']);
    expect(of('number')).toEqual(['1']);
    expect(of('string')).toEqual(
      expect.arrayContaining(['order_summary', "'doc == null ? 0 : 1'", '"<script>alert(1)</script>"']),
    );
    expect(of('string')).toContain('http://x#not-a-comment');
  });
});

describe('states', () => {
  it('styles every documented state and shows an unknown one as it comes', () => {
    for (const state of [
      'live',
      'catching-up',
      'rebuilding',
      'paused',
      'stalled',
      'failed',
      'broken-definition',
    ])
      expect(stateStyle(state).tone).not.toBe('other');
    expect(stateStyle('live').tone).toBe('ok');
    expect(stateStyle('stalled').tone).toBe('warn');
    expect(stateStyle('draining')).toEqual({
      tone: 'other',
      meaning: 'reported by the server as "draining"',
    });
  });
});
