/**
 * The example view definitions (projections/*.yaml) copied into a test's folder, the search and graph
 * views under unique names: Elasticsearch indices and Neo4j labels are named after them, and those stores
 * are shared by every test file (PostgreSQL views live in each test's own database).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { uniqueTestName } from './stores';

export interface ExampleViews {
  readonly summary: 'order_summary';
  readonly search: string;
  readonly graph: string;
}

export function writeExampleViews(directory: string): ExampleViews {
  const search = uniqueTestName('order_search');
  const graph = uniqueTestName('purchase_graph');
  const renames: Record<string, [string, string][]> = {
    'order-summary.yaml': [],
    'order-search.yaml': [
      ['name: order_search', `name: ${search}`],
      ['index: order_search', `index: ${search}`],
    ],
    'purchase-graph.yaml': [['name: purchase_graph', `name: ${graph}`]],
  };
  for (const [file, pairs] of Object.entries(renames)) {
    let text = readFileSync(path.join(__dirname, '../../projections', file), 'utf8');
    for (const [from, to] of pairs) text = text.replace(from, to);
    writeFileSync(path.join(directory, file), text);
  }
  return { summary: 'order_summary', search, graph };
}
