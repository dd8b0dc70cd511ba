/** `prism events` (issue #16): the catalog of the example marketplace's aggregates and a catalog file. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marketplaceAggregates } from '../../examples/marketplace';
import type { CliIo } from './cli-io';
import { runEvents } from './commands/events.command';
import { runSchema } from './commands/schema.command';
import { runValidate } from './commands/validate.command';

const ROOT = join(__dirname, '..', '..');
const CATALOG = join(ROOT, 'test', 'fixtures', 'event-catalog', 'events.catalog.yaml');

function bufferIo(cwd = ROOT): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, cwd, out: (line) => lines.push(line), err: (line) => errors.push(line) };
}

describe('prism events', () => {
  it('lists each aggregate event type with its version, origin and payload fields', () => {
    const io = bufferIo();
    expect(runEvents(io)).toBe(0);
    const itemAdded = io.lines.findIndex((line) => line.startsWith('ItemAdded v1  (aggregate order, '));
    expect(itemAdded).toBeGreaterThanOrEqual(0);
    expect(io.lines[itemAdded + 1]).toBe(
      '  data: { orderId: string, productId: string, qty: integer, price: integer }',
    );
    const types = new Set(marketplaceAggregates.flatMap((aggregate) => [...aggregate.events.keys()]));
    expect(io.lines.at(-1)).toBe(`${types.size} event type(s)`);
  });

  it('adds the catalog file: older versions and the upcaster chain', () => {
    const io = bufferIo();
    expect(runEvents(io, { catalog: CATALOG })).toBe(0);
    const at = io.lines.findIndex((line) =>
      line.startsWith('PaymentReceived v2  (test/fixtures/event-catalog/events.catalog.yaml:'),
    );
    expect(io.lines.slice(at + 1, at + 4)).toEqual([
      '  data: { paymentId: string, customerId: string, amountCents: integer, currency: string, channel?: string }',
      '  older versions: v1',
      '  upcast v1→v2: rename amount→amountCents; default currency; derive channel',
    ]);
    const json = bufferIo();
    expect(runEvents(json, { catalog: CATALOG, json: true })).toBe(0);
    const parsed = JSON.parse(json.lines.join('\n')) as {
      events: Record<string, { latest: number; versions: Record<string, unknown> }>;
    };
    expect(parsed.events.PaymentReceived).toMatchObject({ latest: 2, versions: { 1: { type: 'object' } } });
  });

  it('prints a broken catalog file at file:line:col and fails, in validate too', () => {
    const folder = mkdtempSync(join(tmpdir(), 'prism-events-'));
    try {
      const file = join(folder, 'broken.catalog.yaml');
      writeFileSync(file, 'events:\n  Paid:\n    versions:\n      1: { type: object }\n    upcst: []\n');
      const io = bufferIo(folder);
      expect(runEvents(io, { catalog: file })).toBe(1);
      expect(io.lines[0]).toMatch(
        /^broken\.catalog\.yaml:5:5 error unknown-key events\.Paid\.upcst: unknown key "upcst"/,
      );
      expect(io.lines[0]).toContain('(did you mean "upcast"?)');
      expect(runValidate([ROOT + '/projections'], bufferIo(folder), { catalog: file })).toBe(1);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('prism schema --events', () => {
  it("offers the catalog's event types for completion and still accepts the example definitions", () => {
    const folder = mkdtempSync(join(tmpdir(), 'prism-schema-'));
    try {
      const out = join(folder, 'definition.schema.json');
      const io = bufferIo();
      expect(
        runSchema({ out, testOut: join(folder, 'test.schema.json'), events: true, catalog: CATALOG }, io),
      ).toBe(0);
      const schema = JSON.parse(readFileSync(out, 'utf8')) as {
        properties: { source: { properties: { events: { items: { examples: string[] } } } } };
      } & Record<string, unknown>;
      const examples = schema.properties.source.properties.events.items.examples;
      expect(examples).toContain('OrderPlaced');
      expect(examples).toContain('PaymentReceived');
      const handlers = (schema.properties as Record<string, { properties?: Record<string, unknown> }>)
        .handlers;
      expect(Object.keys(handlers?.properties ?? {})).toEqual(examples);
      const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
      const definition = parse(
        readFileSync(join(ROOT, 'projections', 'order-summary.yaml'), 'utf8'),
      ) as unknown;
      expect(validate(definition)).toBe(true);
      expect(validate({ ...(definition as object), handlers: { OrderPlaced: [{ upsrt: {} }] } })).toBe(false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
