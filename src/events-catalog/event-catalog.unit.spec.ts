/**
 * The event catalog (issue #16): derived from aggregates (zod → JSON Schema, version, TS upcasters) and a
 * catalog file; upcaster chains run in order, a gap is refused, and an event newer than the catalog is an
 * error rather than a silent pass.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { defineAggregate } from '../aggregates/define-aggregate';
import { marketplaceAggregates } from '../../examples/marketplace';
import { formatDefinitionError } from '../dsl/errors/definition-error';
import type { StoredEvent } from '../eventstore/event-store.port';
import { buildEventCatalog } from './build-catalog';
import { checkPayload } from './payload-check';
import { EventUpcaster } from './upcasting-plan';
import { checkDefinitionSource } from '../dsl/loader/definition.loader';
import { compileProjection } from '../dsl';
import type { EventCatalog } from './event-catalog';

const FIXTURE = path.join(__dirname, '..', '..', 'test', 'fixtures', 'event-catalog', 'events.catalog.yaml');

const event = (type: string, data: StoredEvent['data'], schemaVersion?: number): StoredEvent => ({
  id: 'e1',
  streamId: 's-1',
  revision: 0,
  position: 1n,
  type,
  data,
  metadata: {
    timestamp: '2026-01-01T00:00:00.000Z',
    ...(schemaVersion !== undefined && { schemaVersion }),
  } as StoredEvent['metadata'],
});

function invoiceAggregate(
  upcast?: Record<number, (data: Readonly<Record<string, unknown>>) => Record<string, unknown>>,
) {
  return defineAggregate({
    name: 'invoice',
    initialState: { total: 0 },
    events: {
      InvoiceIssued: {
        version: 3,
        data: z.object({ invoiceId: z.string(), totalCents: z.number().int(), lines: z.array(z.string()) }),
        ...(upcast !== undefined && { upcast }),
      },
    },
    evolve: (state, e) => ({ total: state.total + e.data.totalCents }),
    commands: {
      issue: {
        creates: true,
        payload: z.object({ totalCents: z.number().int() }),
        decide: (command, _state, ctx) => ({
          type: 'InvoiceIssued' as const,
          data: { invoiceId: ctx.id, totalCents: command.totalCents, lines: [] },
        }),
      },
    },
  });
}

describe('the event catalog', () => {
  it("derives each aggregate event's JSON Schema, latest version and origin", () => {
    const { catalog, problems } = buildEventCatalog({ aggregates: marketplaceAggregates });
    expect(problems).toEqual([]);
    const itemAdded = catalog!.get('ItemAdded')!;
    expect(itemAdded).toMatchObject({ latest: 1, origin: 'aggregate order' });
    expect(itemAdded.versions.get(1)!.schema).toMatchObject({
      type: 'object',
      properties: { orderId: { type: 'string' }, qty: { type: 'integer' }, price: { type: 'integer' } },
      required: ['orderId', 'productId', 'qty', 'price'],
    });
    expect(catalog!.complete).toBe(false);
    expect([...catalog!.types()].sort()).toEqual(
      marketplaceAggregates.flatMap((aggregate) => [...aggregate.events.keys()]).sort(),
    );
  });

  it('runs TS upcasters in version order, and evolve sees the latest version too', () => {
    const invoice = invoiceAggregate({
      1: (v1) => ({ ...v1, totalCents: Number(v1.total) * 100 }),
      2: (v2) => ({ ...v2, lines: [] }),
    });
    const { catalog } = buildEventCatalog({ aggregates: [invoice] });
    const upcast = new EventUpcaster(catalog!).upcast(
      event('InvoiceIssued', { invoiceId: 'i1', total: 12 }, 1),
    );
    expect(upcast.data).toEqual({ invoiceId: 'i1', total: 12, totalCents: 1200, lines: [] });
    expect(upcast.metadata.schemaVersion).toBe(3);
    const state = invoice.decider.evolve(
      { total: 0 },
      event('InvoiceIssued', { invoiceId: 'i1', total: 2 }, 1),
    );
    expect(state).toEqual({ total: 200 });
  });

  it('refuses a TS upcaster chain with a gap, naming the missing step', () => {
    expect(() => invoiceAggregate({ 1: (v1) => v1 })).toThrow(
      /the upcaster chain has a gap: nothing upcasts version 2 to 3 \(the chain starts at 1 and must reach 3\)/,
    );
    expect(() => invoiceAggregate({ 3: (v) => v })).toThrow(/upcast 3 must be a version below/);
  });

  it('reads a catalog file: declarative steps rename, default and derive in one step', () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const { catalog, problems } = buildEventCatalog({ file: { text, name: 'events.catalog.yaml' } });
    expect(problems.map(formatDefinitionError)).toEqual([]);
    const entry = catalog!.get('PaymentReceived')!;
    expect(entry.latest).toBe(2);
    expect(entry.upcasters.get(1)!.summary).toBe(
      'rename amount→amountCents; default currency; derive channel',
    );
    const upcaster = new EventUpcaster(catalog!);
    const v1 = event('PaymentReceived', { paymentId: 'p', customerId: 'c', amount: 5 }, 1);
    expect(upcaster.upcast(v1).data).toEqual({
      paymentId: 'p',
      customerId: 'c',
      amountCents: 5,
      currency: 'EUR',
      channel: 'legacy-c',
    });
    // once per event however often the plan reads it
    expect(upcaster.upcast(v1)).toBe(upcaster.upcast(v1));
    const v2 = event(
      'PaymentReceived',
      { paymentId: 'p', customerId: 'c', amountCents: 1, currency: 'USD' },
      2,
    );
    expect(upcaster.upcast(v2)).toBe(v2);
    expect(() => upcaster.upcast({ ...v2, metadata: { ...v2.metadata, schemaVersion: 3 } })).toThrow(
      /schemaVersion 3 is newer than the catalog's latest version 2 of PaymentReceived/,
    );
  });

  it('checks a payload against the declared version, else the latest', () => {
    const { catalog } = buildEventCatalog({
      aggregates: marketplaceAggregates,
      file: { text: readFileSync(FIXTURE, 'utf8'), name: 'events.catalog.yaml' },
    });
    expect(checkPayload(catalog!, 'Unlisted', { x: 1 })).toEqual({ kind: 'uncatalogued' });
    expect(
      checkPayload(catalog!, 'PaymentReceived', { paymentId: 'p', customerId: 'c', amount: 1 }, 1),
    ).toEqual({
      kind: 'valid',
      version: 1,
    });
    const invalid = checkPayload(catalog!, 'ItemAdded', { orderId: 'o', productId: 'p', qty: 1.5, price: 1 });
    expect(invalid.kind === 'invalid' && invalid.issues.map((issue) => issue.path)).toEqual([['qty']]);
    expect(checkPayload(catalog!, 'PaymentReceived', {}, 7)).toEqual({
      kind: 'unknown-version',
      version: 7,
      known: [1, 2],
    });
  });

  describe('upcasters in the fingerprint (a changed upcaster rebuilds the views reading its type)', () => {
    const definition = (events: string) =>
      [
        'name: payments',
        'version: 1',
        `source: { events: [${events}] }`,
        'target:',
        '  kind: relational',
        '  table: payments',
        '  key: payment_id',
        '  columns: { payment_id: { type: text }, cents: { type: integer } }',
        'handlers:',
        ...events
          .split(', ')
          .flatMap((type) => [
            `  ${type}:`,
            type === 'PaymentReceived'
              ? '    - upsert: { key: event.data.paymentId, set: { cents: event.data.amountCents } }'
              : '    - upsert: { key: dyn(event.data).paymentId, set: { cents: 0 } }',
          ]),
        '',
      ].join('\n');
    const fingerprint = (catalog: EventCatalog | undefined, events = 'PaymentReceived') => {
      const check = checkDefinitionSource(definition(events), 'payments.yaml', catalog ? { catalog } : {});
      expect(check.problems.filter((p) => p.severity === 'error').map(formatDefinitionError)).toEqual([]);
      return compileProjection(check.checked!).fingerprint;
    };
    const catalogOf = (text: string) => {
      const { catalog, problems } = buildEventCatalog({ file: { text, name: 'events.catalog.yaml' } });
      expect(problems.map(formatDefinitionError)).toEqual([]);
      return catalog!;
    };
    const original = readFileSync(FIXTURE, 'utf8');

    it('changes when a step changes, not when the file lists the same step in another order', () => {
      const base = fingerprint(catalogOf(original));
      expect(fingerprint(catalogOf(original.replace('currency: EUR', 'currency: USD')))).not.toBe(base);
      expect(
        fingerprint(
          catalogOf(original.replace('"legacy-" + event.data.customerId', '"old-" + event.data.customerId')),
        ),
      ).not.toBe(base);
      const reordered = original.replace(
        '        rename: { amount: amountCents }\n        default: { currency: EUR }',
        '        default: { currency: EUR }\n        rename: { amount: amountCents }',
      );
      expect(reordered).not.toBe(original);
      expect(fingerprint(catalogOf(reordered))).toBe(base);
      // The same catalog built twice: the same fingerprint (a restart rebuilds nothing).
      expect(fingerprint(catalogOf(original))).toBe(base);
    });

    it('changes when a TS upcaster changes', () => {
      const withUpcaster = (factor: number) =>
        buildEventCatalog({
          aggregates: [
            invoiceAggregate({
              1:
                factor === 100
                  ? (v1) => ({ ...v1, totalCents: Number(v1.total) * 100 })
                  : (v1) => ({ ...v1, totalCents: Number(v1.total) * 10 }),
              2: (v2) => ({ ...v2, lines: [] }),
            }),
          ],
        }).catalog!;
      const invoices = (catalog: EventCatalog) => {
        const text = [
          'name: invoices',
          'version: 1',
          'source: { events: [InvoiceIssued] }',
          'target:',
          '  kind: relational',
          '  table: invoices',
          '  key: invoice_id',
          '  columns: { invoice_id: { type: text }, cents: { type: integer } }',
          'handlers:',
          '  InvoiceIssued:',
          '    - upsert: { key: event.data.invoiceId, set: { cents: event.data.totalCents } }',
          '',
        ].join('\n');
        return compileProjection(checkDefinitionSource(text, 'invoices.yaml', { catalog }).checked!)
          .fingerprint;
      };
      expect(invoices(withUpcaster(100))).not.toBe(invoices(withUpcaster(10)));
      expect(invoices(withUpcaster(100))).toBe(invoices(withUpcaster(100)));
    });

    it('leaves the fingerprint of a projection that reads no upcast type as its definition makes it', () => {
      const catalog = catalogOf(
        original.replace('events:\n', 'events:\n  RefundIssued:\n    versions: { 1: { type: object } }\n'),
      );
      expect(fingerprint(catalog, 'RefundIssued')).toBe(fingerprint(undefined, 'RefundIssued'));
      expect(fingerprint(catalog, 'RefundIssued')).not.toBe(
        fingerprint(catalog, 'RefundIssued, PaymentReceived'),
      );
    });
  });
});
