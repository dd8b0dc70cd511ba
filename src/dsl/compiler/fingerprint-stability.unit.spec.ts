/**
 * A changed fingerprint rebuilds the view on upgrade, and a changed stored model is what a later Prism
 * recompiles: both must stay as they were when the DSL model became tagged (issue #13). The fixture was
 * recorded on the code before that change; never re-record it to make this test pass - find what changed.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledProjection } from '../../core/plan';
import { orderSummary } from '../../../test/dsl/builder-examples/order-summary.projection';
import { socialGraph } from '../../../test/dsl/builder-examples/social-graph.projection';
import { compileYamlDefinition } from '../testing/compile-yaml';
import { definitionModelOf } from './projection.compiler';
import recorded from './fixtures/fingerprints.json';

const PROJECTIONS = join(__dirname, '..', '..', '..', 'projections');

/** Features the example folder does not use: delete, append, ifMissing, doc conditions, settings, labels. */
const EXTRA: Record<string, string> = {
  'document-features': `
name: document_features
version: 3
onPoison: skip
source: { events: [Opened, Tagged, Closed, Purged] }
target:
  kind: postgres
  table: document_features
  key: id
  columns:
    id: { type: text }
    tags: { type: jsonb, nullable: true }
    count: { type: integer }
    note: { type: text, nullable: true }
  indexes: [{ columns: [count], unique: true }]
handlers:
  Opened:
    - upsert: { key: event.data.id, set: { count: 0, note: "'opened'" } }
  Tagged:
    - update:
        key: event.data.id
        when: doc.count < 10 && has(event.data.tag)
        ifMissing: fail
        append: { tags: event.data.tag }
        increment: { count: 1 }
  Closed:
    - update: { key: event.data.id, when: 'event.data.reason != "spam"', set: { note: null } }
  Purged:
    - delete: { key: event.data.id, when: true }
`,
  'search-settings': `
name: search_settings
version: 1
source: { events: [Listed], streamPrefix: item- }
target:
  kind: elasticsearch
  index: search_settings
  id: id
  settings: { shards: 2, replicas: 0, refreshInterval: 5s }
  fields:
    id: { type: keyword }
    title: { type: text, analyzer: english }
    labels: { type: keyword, array: true, facet: true }
handlers:
  Listed:
    - upsert: { key: event.data.id, set: { title: event.data.title, labels: '["a", "b"]' } }
    - update: { key: event.data.id, append: { labels: 'string(event.revision)' } }
`,
  'graph-features': `
name: graph_features
version: 2
source: { events: [Linked, Unlinked, Gone] }
target:
  kind: neo4j
  nodes:
    A: { key: id, properties: { id: string, n: integer } }
    B: { key: id, properties: { id: integer } }
  relationships:
    R: { from: A, to: B, properties: { w: float } }
handlers:
  Linked:
    - mergeRelationship:
        type: R
        when: event.data.w > 0.5
        from: { label: A, key: event.data.a }
        to: { key: int(event.data.b) }
        set: { w: event.data.w }
  Unlinked:
    - deleteRelationship: { type: R, from: { key: event.data.a }, to: { label: B, key: 7 } }
  Gone:
    - deleteNode: { label: A, key: event.data.a, when: event.data.a != '' }
`,
};

function compiledDefinitions(): [string, CompiledProjection][] {
  const files = readdirSync(PROJECTIONS)
    .filter((file) => file.endsWith('.yaml') && !file.endsWith('.test.yaml'))
    .sort();
  return [
    ...files.map((file): [string, CompiledProjection] => [
      `projections/${file}`,
      compileYamlDefinition(readFileSync(join(PROJECTIONS, file), 'utf8'), file),
    ]),
    ['builder/orderSummary', orderSummary.compile()],
    ['builder/socialGraph', socialGraph.compile()],
    ...Object.entries(EXTRA).map(([name, text]): [string, CompiledProjection] => [
      `inline/${name}`,
      compileYamlDefinition(text, `${name}.yaml`),
    ]),
  ];
}

/** What each definition is recorded as: its fingerprint, and a digest of the model stored with a view. */
export function fingerprintRecord(): Record<string, { fingerprint: string; storedModel: string }> {
  return Object.fromEntries(
    compiledDefinitions().map(([name, plan]) => [
      name,
      {
        fingerprint: plan.fingerprint,
        storedModel: createHash('sha256')
          .update(JSON.stringify(definitionModelOf(plan)))
          .digest('hex'),
      },
    ]),
  );
}

describe('fingerprint stability', () => {
  it('keeps the fingerprint and stored model of every example, builder and feature definition', () => {
    expect(fingerprintRecord()).toEqual(recorded);
  });

  it('covers every definition in projections/', () => {
    const yamlFiles = readdirSync(PROJECTIONS).filter(
      (f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'),
    );
    expect(Object.keys(recorded).filter((name) => name.startsWith('projections/'))).toHaveLength(
      yamlFiles.length,
    );
  });
});
