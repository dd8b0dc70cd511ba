import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDefinitionSource } from '../loader/definition.loader';
import { Expression } from '../model/expression';
import type { ProjectionModel } from '../model/projection.model';
import { compileYamlDefinition } from '../testing/compile-yaml';
import { canonicalJson, fingerprintOf } from './projection.fingerprint';

const PROJECTIONS = join(__dirname, '..', '..', '..', 'projections');
const orderSummary = readFileSync(join(PROJECTIONS, 'order-summary.yaml'), 'utf8');
const productSearch = readFileSync(join(PROJECTIONS, 'product-search.yaml'), 'utf8');
const fingerprint = (text: string) => compileYamlDefinition(text).fingerprint;

function edit(text: string, from: string | RegExp, to: string): string {
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`edit did not apply: ${String(from)}`);
  return changed;
}

describe('fingerprint', () => {
  const base = fingerprint(orderSummary);

  it.each([
    [
      'comments and blank lines',
      (t: string) => `# a new comment\n\n${edit(t, 'handlers:', '# handlers follow\nhandlers:')}`,
    ],
    [
      'the description',
      (t: string) => edit(t, /^description: .*$/m, 'description: Something else entirely.'),
    ],
    ['a $schema key', (t: string) => `$schema: ./prism-projection.schema.json\n${t}`],
    [
      'explicit defaults',
      (t: string) =>
        edit(
          edit(t, 'status: { type: text }', 'status: { type: text, nullable: false }'),
          'version: 1\n',
          'version: 1\nonPoison: sequenced\n',
        ),
    ],
    [
      'flow vs block style',
      (t: string) => edit(t, '    order_id: { type: text }\n', '    order_id:\n      type: text\n'),
    ],
    [
      'the order of keys and columns',
      (t: string) =>
        edit(
          t,
          '    customer_id: { type: text }\n    status: { type: text }\n',
          '    status: { type: text }\n    customer_id: { type: text }\n',
        ),
    ],
    [
      'the order of source events',
      (t: string) =>
        edit(
          t,
          '[OrderPlaced, ItemAdded, OrderShipped, OrderCancelled]',
          '[ItemAdded, OrderPlaced, OrderCancelled, OrderShipped]',
        ),
    ],
    ['CEL string quotes', (t: string) => edit(t, `status: '"shipped"'`, `status: "'shipped'"`)],
    [
      'spacing inside an expression',
      (t: string) => edit(t, 'event.data.qty * event.data.price', 'event.data.qty*event.data.price'),
    ],
    ['a literal written as a string', (t: string) => edit(t, 'item_count: 0', "item_count: '0'")],
  ])('ignores %s', (_what, change) => {
    expect(fingerprint(change(orderSummary))).toBe(base);
  });

  it.each([
    ['the version', (t: string) => edit(t, 'version: 1', 'version: 2')],
    ['a column type', (t: string) => edit(t, 'total: { type: bigint }', 'total: { type: numeric }')],
    [
      'a nullable flag',
      (t: string) => edit(t, 'status: { type: text }', 'status: { type: text, nullable: true }'),
    ],
    [
      'an index',
      (t: string) =>
        edit(t, '    - columns: [customer_id]\n', '    - columns: [customer_id]\n      unique: true\n'),
    ],
    [
      'an expression',
      (t: string) => edit(t, 'event.data.qty * event.data.price', 'event.data.qty * event.data.price * 2'),
    ],
    ['a literal', (t: string) => edit(t, `status: '"shipped"'`, `status: '"sent"'`)],
    ['the stream prefix', (t: string) => edit(t, 'streamPrefix: order-', 'streamPrefix: orders-')],
    ['the poison policy', (t: string) => edit(t, 'version: 1\n', 'version: 1\nonPoison: skip\n')],
    [
      'the order of actions',
      (t: string) =>
        edit(
          t,
          '        increment:\n          item_count: event.data.qty\n          total: event.data.qty * event.data.price\n',
          '        increment:\n          item_count: event.data.qty\n          total: event.data.qty * event.data.price\n    - update:\n        key: event.data.orderId\n        set: { status: \'"placed"\' }\n',
        ),
    ],
  ])('changes with %s', (_what, change) => {
    expect(fingerprint(change(orderSummary))).not.toBe(base);
  });

  it('ignores named queries: they read the view, changing one needs no rebuild', () => {
    expect(
      fingerprint(
        edit(productSearch, 'size: { type: integer, default: 20 }', 'size: { type: integer, default: 50 }'),
      ),
    ).toBe(fingerprint(productSearch));
  });

  it('changes with an Elasticsearch sub-field, its type or its options: the mapping changes, so the view rebuilds (issue #16)', () => {
    const title = 'title: { type: text }';
    const withRaw = edit(productSearch, title, 'title: { type: text, fields: { raw: { type: keyword } } }');
    const prints = [
      fingerprint(productSearch),
      fingerprint(withRaw),
      fingerprint(edit(productSearch, title, 'title: { type: text, fields: { sort: { type: keyword } } }')),
      fingerprint(edit(productSearch, title, 'title: { type: text, fields: { raw: { type: text } } }')),
      fingerprint(
        edit(productSearch, title, 'title: { type: text, fields: { raw: { type: keyword, facet: true } } }'),
      ),
    ];
    expect(new Set(prints).size).toBe(prints.length);
    // a named template's facets read the view: no rebuild
    expect(
      fingerprint(
        edit(
          withRaw,
          '      category: { type: string }\n',
          '      category: { type: string }\n    facets: [title.raw]\n',
        ),
      ),
    ).toBe(fingerprint(withRaw));
  });

  it('canonical JSON sorts keys at every level and keeps list order', () => {
    expect(canonicalJson({ b: [2, 1], a: { d: null, c: 'x' } })).toBe('{"a":{"c":"x","d":null},"b":[2,1]}');
  });

  describe('covers every expression by construction (issue #13)', () => {
    const model = checkDefinitionSource(orderSummary, 'order-summary.yaml').checked!.definition;
    const placed = model.handlers.OrderPlaced![0]!;
    /** The model with a field the DSL does not have (yet) added to the first action of OrderPlaced. */
    const withField = (name: string, value: unknown): ProjectionModel => ({
      ...model,
      handlers: { ...model.handlers, OrderPlaced: [{ ...placed, [name]: value }] },
    });
    const cel = (source: string) => Expression.of(source);

    it('changes when an expression in a field added to an action changes', () => {
      expect(fingerprintOf(withField('discount', cel('event.data.a')))).not.toBe(
        fingerprintOf(withField('discount', cel('event.data.b'))),
      );
      expect(fingerprintOf(withField('discount', cel('event.data.a')))).not.toBe(fingerprintOf(model));
    });

    it('puts an expression in an added field in canonical form, like every other expression', () => {
      expect(fingerprintOf(withField('discount', cel(`'x' + event.data.a`)))).toBe(
        fingerprintOf(withField('discount', cel(`"x"+event.data.a`))),
      );
    });

    it('reaches expressions nested in added maps and lists, and in a new section', () => {
      const nested = (source: string) => withField('limits', { upper: [{ bound: cel(source) }] });
      expect(fingerprintOf(nested('doc.total < 10'))).not.toBe(fingerprintOf(nested('doc.total < 20')));
      const section = (source: string) =>
        ({ ...model, retention: { keepWhile: cel(source) } }) as ProjectionModel;
      expect(fingerprintOf(section('true'))).not.toBe(fingerprintOf(section('false')));
    });

    it('refuses a value that is neither JSON nor an expression rather than hash it wrongly', () => {
      expect(() => fingerprintOf(withField('callback', () => 1))).toThrow(/cannot fingerprint a function/);
    });
  });
});
