/**
 * Issue #12, item 2: "a definition that validates must start". `target.index: meta` and `table: events`
 * validated, then failed when the runtime created their view. Here every example definition and every
 * definition of the broken corpus that validates (warnings only) is prepared and activated on its real
 * store, as are a table and an index at the size limits; and everything Prism creates for itself in each store is checked against the names the
 * validator reserves (src/dsl/validation/reserved-names.ts), so a new bookkeeping table cannot slip by.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import neo4j, { type Driver } from 'neo4j-driver';
import { Client as PgClient } from 'pg';
import type { CompiledProjection } from '../../src/core/plan';
import type { Neo4jTargetShape } from '../../src/stores/neo4j/neo4j-view-shape';
import { compileProjection, definitionModelOf } from '../../src/dsl';
import { findFiles, isDefinitionFile } from '../../src/dsl/loader/definition.loader';
import { NAME_PATTERNS } from '../../src/dsl/model/definition.schema';
import { codeLocator } from '../../src/dsl/source/source-locator';
import { parseYamlSource } from '../../src/dsl/source/yaml-source.parser';
import { validateDefinition } from '../../src/dsl/validation/definition.validator';
import { reservedIndexReason } from '../../src/stores/elasticsearch/dsl/elasticsearch-section.checks';
import { ELASTICSEARCH_LIMITS } from '../../src/stores/elasticsearch/dsl/elasticsearch-section.schema';
import { reservedLabelReason } from '../../src/stores/neo4j/dsl/neo4j-section.checks';
import { reservedTableReason } from '../../src/stores/relational/dsl/relational-section.checks';
import { RELATIONAL_LIMITS } from '../../src/stores/relational/dsl/relational-section.schema';
import { isRelationalShape } from '../../src/stores/relational/relational-view-shape';
import { createPostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store';
import { deleteIndicesWithPrefix } from '../../src/stores/elasticsearch/elasticsearch-cleanup';
import { ElasticsearchTarget } from '../../src/stores/elasticsearch/elasticsearch.target';
import { bookkeepingLabels } from '../../src/stores/neo4j/neo4j-bookkeeping';
import { cleanUp } from '../../src/stores/neo4j/neo4j-test-support';
import { Neo4jTarget } from '../../src/stores/neo4j/neo4j.target';
import { RelationalTarget } from '../../src/stores/relational/relational.target';
import type { Target } from '../../src/stores/target.port';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';
import { BROKEN_FOLDER, brokenCases } from './broken-corpus';

const ROOT = join(__dirname, '..', '..');
const run = uniqueTestName('starts').replace(/_/g, '');

/** The valid definitions, each renamed so the shared Neo4j and Elasticsearch never see two test runs meet. */
function validDefinitions(): { file: string; plan: CompiledProjection }[] {
  const files = [
    ...findFiles([join(ROOT, 'projections')], isDefinitionFile),
    ...brokenCases()
      .filter(
        (brokenCase) => !brokenCase.isFolder && !brokenCase.expected.some((line) => / error /.test(line)),
      )
      .map((brokenCase) => join(BROKEN_FOLDER, brokenCase.entry)),
  ];
  const atLimits = [limitDefinition('postgres'), limitDefinition('elasticsearch')].map((value) => {
    const check = validateDefinition(value, codeLocator(`<${String(value.name)}>`));
    if (!check.checked) throw new Error(`${String(value.name)}: ${check.problems[0]?.message}`);
    return {
      file: `<${String((value.target as { kind: string }).kind)} view at its size limit>`,
      plan: compileProjection(check.checked),
    };
  });
  return [
    ...atLimits,
    ...files.map((file) => {
      const parsed = parseYamlSource(readFileSync(file, 'utf8'), file);
      const value = { ...(parsed.value as Record<string, unknown>) };
      value.name = `${String(value.name).replace(/-/g, '_')}_${run}`;
      const check = validateDefinition(value, parsed.locator);
      if (!check.checked) throw new Error(`${file} does not validate: ${check.problems[0]?.message}`);
      return { file: file.slice(ROOT.length + 1), plan: compileProjection(check.checked) };
    }),
  ];
}

/** A table with as many columns, and an index with as many fields, as the limits allow. */
function limitDefinition(kind: 'postgres' | 'elasticsearch'): Record<string, unknown> {
  const count = kind === 'postgres' ? RELATIONAL_LIMITS.columns : ELASTICSEARCH_LIMITS.fields;
  const declared: Record<string, unknown> = { id: { type: kind === 'postgres' ? 'text' : 'keyword' } };
  for (let i = 1; i < count; i++)
    declared[`c${i}`] = kind === 'postgres' ? { type: 'bigint', nullable: true } : { type: 'long' };
  const name = `at_limit_${kind}_${run}`;
  return {
    name,
    version: 1,
    source: { events: ['OrderPlaced'] },
    target:
      kind === 'postgres'
        ? { kind, table: `wide_${run}`.slice(0, 40), key: 'id', columns: declared }
        : { kind, index: `wide_${run}`, id: 'id', fields: declared },
    handlers: { OrderPlaced: [{ delete: { key: 'event.data.orderId' } }] },
  };
}

describeWithStores(
  ['postgres', 'elasticsearch', 'neo4j'],
  'every definition that validates starts',
  (urls) => {
    const database = useTestDatabase(() => urls.postgres);
    const esPrefix = `${run}-`;
    const neo4jPrefix = `Prism${run.replace(/[^A-Za-z0-9]/g, '')}`;
    const definitions = validDefinitions();
    let driver: Driver;
    let es: ElasticsearchClient;
    const targets: Partial<Record<string, Target>> = {};

    beforeAll(async () => {
      driver = neo4j.driver(urls.neo4j);
      es = new ElasticsearchClient({ node: urls.elasticsearch });
      // the event log and the views share one schema, as in the app (PRISM_PG_SCHEMA)
      const log = createPostgresEventStore({ url: database.url, schema: 'prism' });
      await log.initialize();
      await log.close();
      targets.postgres = await RelationalTarget.connect({
        kind: 'postgres',
        url: database.url,
        schema: 'prism',
      });
      targets.elasticsearch = await ElasticsearchTarget.connect({
        url: urls.elasticsearch,
        prefix: esPrefix,
      });
      const graph = new Neo4jTarget(driver, { bookkeepingPrefix: neo4jPrefix });
      await graph.initialize();
      targets.neo4j = graph;
    });

    afterAll(async () => {
      await targets.postgres?.close();
      await targets.elasticsearch?.close();
      await deleteIndicesWithPrefix(es, esPrefix);
      await es.close();
      const graphs = definitions.filter(({ plan }) => plan.target.kind === 'neo4j');
      await cleanUp(
        driver,
        bookkeepingLabels(neo4jPrefix),
        graphs.map(({ plan }) => ({
          projection: plan.name,
          generations: [1],
          shape: plan.target as Neo4jTargetShape,
        })),
      );
      await driver.close();
    });

    it('has example and corpus definitions of every target kind', () => {
      expect(new Set(definitions.map(({ plan }) => plan.target.kind))).toEqual(
        new Set(['postgres', 'elasticsearch', 'neo4j']),
      );
    });

    it.each(definitions.map((definition) => [definition.file, definition] as const))(
      '%s is prepared and activated on its store',
      async (_file, { plan }) => {
        const target = targets[plan.target.kind]!;
        const view = { projection: plan.name, generation: 1, shape: plan.target };
        await target.prepare({ ...view, fingerprint: plan.fingerprint, definition: definitionModelOf(plan) });
        await expect(target.activate(view)).resolves.toMatchObject({ kind: 'activated' });
        expect(await target.readCheckpoint(view)).toBe(0n);
      },
    );

    it('reserves every relation Prism creates for itself in the PostgreSQL schema', async () => {
      const client = new PgClient({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ relname: string }>(
          `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'prism'`,
        );
        const views = new Set(
          definitions.flatMap(({ plan }) => (isRelationalShape(plan.target) ? [plan.target.table] : [])),
        );
        const own = rows.map((row) => row.relname).filter((name) => !views.has(name));
        expect(own.length).toBeGreaterThan(10);
        // TypeORM's constraint names (`PK_1a2b...`) have capitals, which no table name may have
        const declarable = own.filter((name) => NAME_PATTERNS.column.pattern.test(name));
        expect(declarable.length).toBeGreaterThan(10);
        expect(declarable.filter((name) => reservedTableReason(name) === undefined)).toEqual([]);
      } finally {
        await client.end();
      }
    });

    it("reserves Prism's own Elasticsearch indices and Neo4j bookkeeping labels", async () => {
      const indices = Object.keys(await es.indices.get({ index: `${esPrefix}*` }));
      const own = indices.map((index) => index.slice(esPrefix.length)).filter((name) => !/-g\d+$/.test(name));
      expect(own).toEqual(['meta']);
      expect(own.filter((name) => reservedIndexReason(name) === undefined)).toEqual([]);
      const labels = bookkeepingLabels();
      for (const label of [labels.projection, labels.generation, labels.checkpoint, labels.parked])
        expect(reservedLabelReason(label)).toBeDefined();
    });
  },
);
