/**
 * Target kinds come from the registered store modules (issue #13): `relational` with its alias
 * `postgres`, an unknown kind answered with the registered ones, and a store module registered at run
 * time validated by its own section schema and checks, and described in the JSON Schema.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { formatDefinitionError } from '../../src/dsl/errors/definition-error';
import { checkDefinitionSource } from '../../src/dsl/loader/definition.loader';
import { definitionJsonSchema } from '../../src/dsl/model/definition-json-schema';
import { compileYamlDefinition } from '../../src/dsl/testing/compile-yaml';
import { registerStoreModule } from '../../src/stores/registry';
import type { StoreDsl, TargetSection } from '../../src/stores/store-dsl';

const PROJECTIONS = join(__dirname, '..', '..', 'projections');
const read = (file: string) => readFileSync(join(PROJECTIONS, file), 'utf8');

/**
 * The fingerprints the example definitions had on main before the rename (commit ac9f81a, every
 * relational one written `kind: postgres`). A different fingerprint rebuilds the view on upgrade.
 */
const FINGERPRINTS_BEFORE_THE_RENAME: Record<string, string> = {
  'customer-directory.yaml': '4ce7424d3157227032eb6ca97e196856ee381fd0865b1ff8c9d226dfb7a7f44b',
  'order-search.yaml': '022eaff3bee9bb05bb9fabe88cda542e6687291efa55c1d8d5a2b647db2f22f5',
  'order-summary.yaml': 'd830615ec57a8d7a03f6a37689f77abb5302de0387369995d46a4f6355682948',
  'product-search.yaml': 'e916132c890c1baf7f0e4024ea98c5544eed1d51dcab51b7fa86119796c7553d',
  'purchase-graph.yaml': 'eb3badba5f82ed79addd4e3b4d2cd7f6e801db38524be9288cda43ab03187b10',
  'social-graph.yaml': '4a6f17ff41573bb7e9705a784c8033cb5e0b1ddf0e25a24bc3479a20280fe325',
};

/** Examples written after the rename: nothing of theirs was ever stored under another fingerprint. */
const WRITTEN_AFTER_THE_RENAME = [
  'customer-products.yaml',
  'customer-stats.yaml',
  'order-customers.yaml',
  'order-graph.yaml',
];

const asKind = (text: string, kind: string) =>
  text.replace(/^ {2}kind: (postgres|relational)$/m, `  kind: ${kind}`);

describe('the relational kind and its alias postgres', () => {
  it('covers every example definition', () => {
    const examples = readdirSync(PROJECTIONS).filter(
      (f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml') && !WRITTEN_AFTER_THE_RENAME.includes(f),
    );
    expect(examples.sort()).toEqual(Object.keys(FINGERPRINTS_BEFORE_THE_RENAME).sort());
  });

  it.each(Object.entries(FINGERPRINTS_BEFORE_THE_RENAME))(
    '%s keeps its fingerprint, written with either kind name',
    (file, before) => {
      const text = read(file);
      expect(compileYamlDefinition(text).fingerprint).toBe(before);
      if (!/^ {2}kind: (postgres|relational)$/m.test(text)) return;
      expect(compileYamlDefinition(asKind(text, 'postgres')).fingerprint).toBe(before);
      expect(compileYamlDefinition(asKind(text, 'relational')).fingerprint).toBe(before);
    },
  );

  it('accepts postgres and reads it as relational', () => {
    const check = checkDefinitionSource(asKind(read('order-summary.yaml'), 'postgres'), 'orders.yaml');
    expect(check.problems).toEqual([]);
    expect(check.checked!.definition.target.kind).toBe('relational');
    const written = compileYamlDefinition(asKind(read('order-summary.yaml'), 'relational'));
    const aliased = compileYamlDefinition(asKind(read('order-summary.yaml'), 'postgres'));
    expect(aliased.target).toEqual(written.target);
  });

  it('documents the alias in the JSON Schema', () => {
    const text = JSON.stringify(definitionJsonSchema());
    expect(text).toContain('"enum":["relational","postgres"]');
    expect(text).toContain('\\"postgres\\" is an alias, read as \\"relational\\".');
  });

  it('refuses an unknown kind, listing the registered kinds', () => {
    const check = checkDefinitionSource(asKind(read('order-summary.yaml'), 'relationl'), 'orders.yaml');
    expect(check.problems.map(formatDefinitionError)).toEqual([
      'orders.yaml:10:9 error unknown-target-kind target.kind: "relationl" is not a target kind; expected one of "relational", "elasticsearch" or "neo4j" (did you mean "relational"?)',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------- a store added at run time

const KeyValueSectionSchema = z.strictObject({
  kind: z.literal('keyvalue').describe('A test-only key-value store.'),
  bucket: z.string().regex(/^[a-z]+$/),
  values: z.record(z.string(), z.enum(['string', 'number'])),
});
type KeyValueSection = z.output<typeof KeyValueSectionSchema>;

const keyValueDsl: StoreDsl<KeyValueSection> = {
  schema: KeyValueSectionSchema,
  family: 'document',
  viewName: 'bucket',
  withoutQueries: 'key-value views are read by key',
  check(section, problems) {
    if (!('id' in section.values))
      problems.add('key-not-declared', ['target', 'values'], 'a keyvalue bucket needs an "id" value', {
        at: 'key',
      });
  },
  view: (section) => ({
    family: 'document',
    noun: 'value',
    owner: `bucket ${section.bucket}`,
    key: 'id',
    fields: new Map(
      Object.entries(section.values).map(([name, type]) => [
        name,
        {
          kind: type === 'number' ? 'double' : 'string',
          nullable: name !== 'id',
          array: false,
          declared: type,
        },
      ]),
    ),
    unknownCode: 'unknown-field',
    enforcesNotNull: false,
  }),
  shapeOf: (section): TargetSection & { bucket: string } => ({ kind: 'keyvalue', bucket: section.bucket }),
  keyFieldOf: () => 'id',
};

const KEYVALUE = `name: counters
version: 1
source:
  events: [OrderPlaced]
target:
  kind: keyvalue
  bucket: counters
  values:
    id: string
    total: number
handlers:
  OrderPlaced:
    - upsert:
        key: event.data.orderId
        set:
          total: 1
`;

describe('a store module registered at run time', () => {
  let unregister: (() => void) | undefined;
  beforeEach(() => {
    unregister = registerStoreModule({
      kind: 'keyvalue',
      aliases: ['kv'],
      title: 'a test key-value store',
      capabilities: { transactional: true, readsState: true },
      checks: { outline: () => ({ settings: {}, members: {} }), entryFields: () => ({ comparison: {} }) },
      connection: {
        variables: {},
        configure: () => ({ problems: [] }),
        describe: () => 'a test key-value store',
        missingHint: 'nothing to configure',
        open: () => {
          throw new Error('not opened in this test');
        },
      },
      dsl: keyValueDsl,
    });
  });
  afterEach(() => unregister?.());

  it('validates and compiles a definition with its own section', () => {
    const plan = compileYamlDefinition(KEYVALUE);
    expect(plan.target).toEqual({ kind: 'keyvalue', bucket: 'counters' });
    expect(compileYamlDefinition(KEYVALUE.replace('kind: keyvalue', 'kind: kv')).target.kind).toBe(
      'keyvalue',
    );
  });

  it('reports problems from its schema, its checks and the generic checks, with positions', () => {
    const broken = KEYVALUE.replace('    id: string\n', '    idd: string\n')
      .replace('  bucket: counters\n', '  bucket: counters\n  buckt: x\n')
      .replace('total: 1', 'totl: 1');
    const check = checkDefinitionSource(broken, 'kv.yaml');
    expect(check.problems.map(formatDefinitionError)).toEqual([
      'kv.yaml:8:3 error unknown-key target.buckt: unknown key "buckt"; expected one of "kind", "bucket" or "values" (did you mean "bucket"?)',
      'kv.yaml:9:3 error key-not-declared target.values: a keyvalue bucket needs an "id" value',
      'kv.yaml:17:11 error unknown-field handlers.OrderPlaced[0].upsert.set.totl: value "totl" is not a value of bucket counters (did you mean "total"?)',
    ]);
  });

  it('appears in the JSON Schema and in the kinds an unknown kind is told about', () => {
    expect(JSON.stringify(definitionJsonSchema())).toContain('A test-only key-value store.');
    const check = checkDefinitionSource(KEYVALUE.replace('kind: keyvalue', 'kind: keyvalu'), 'kv.yaml');
    expect(check.problems.map(formatDefinitionError)).toEqual([
      'kv.yaml:6:9 error unknown-target-kind target.kind: "keyvalu" is not a target kind; expected one of "relational", "elasticsearch", "neo4j" or "keyvalue" (did you mean "keyvalue"?)',
    ]);
  });

  it('refuses lookups when the store module does not state that it keeps them', () => {
    const withLookups = KEYVALUE.replace(
      'handlers:\n  OrderPlaced:\n',
      'lookups:\n  order_customer: { value: string }\nhandlers:\n  OrderPlaced:\n    - remember: { lookup: order_customer, key: event.data.orderId, value: event.data.customerId }\n',
    ).replace('total: 1', `total: 'lookup.order_customer[event.data.orderId] == "c1" ? 1 : 0'`);
    const check = checkDefinitionSource(withLookups, 'kv.yaml');
    expect(check.problems.map(formatDefinitionError)).toEqual([
      'kv.yaml:11:1 error lookups-not-supported lookups: keyvalue views do not keep lookups (the store module does not state keepsLookups)',
    ]);
  });

  it('refuses updateAll when the store module does not state that it finds keys', () => {
    const withFanOut = KEYVALUE.replace(
      '    - upsert:',
      '    - updateAll: { where: { total: 1 }, set: { total: 2 } }\n    - upsert:',
    );
    const check = checkDefinitionSource(withFanOut, 'kv.yaml');
    expect(check.problems.map(formatDefinitionError)).toEqual([
      'kv.yaml:13:7 error fan-out-not-supported handlers.OrderPlaced[0].updateAll: keyvalue views cannot run updateAll: the store module does not state findsKeys (it cannot find documents by a secondary key)',
    ]);
  });

  it('is gone again once removed', () => {
    unregister?.();
    unregister = undefined;
    const check = checkDefinitionSource(KEYVALUE, 'kv.yaml');
    expect(check.problems.map((problem) => problem.code)).toEqual(['unknown-target-kind']);
    expect(JSON.stringify(definitionJsonSchema())).not.toContain('key-value');
  });
});
