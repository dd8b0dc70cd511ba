import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { compileYamlDefinition } from '../src/dsl/testing/compile-yaml';
import { definitionModelOf } from '../src/dsl/compiler/projection.compiler';
const path = 'src/dsl/compiler/fixtures/fingerprints.json';
const recorded = JSON.parse(readFileSync(path, 'utf8'));
const out: Record<string, unknown> = {};
for (const [k, v] of Object.entries(recorded)) {
  out[k] = v;
  if (k === 'projections/customer-directory.yaml') {
    for (const file of ['customer-products.yaml', 'customer-stats.yaml']) {
      const plan = compileYamlDefinition(readFileSync('projections/' + file, 'utf8'), file);
      out['projections/' + file] = { fingerprint: plan.fingerprint, storedModel: createHash('sha256').update(JSON.stringify(definitionModelOf(plan))).digest('hex') };
    }
  }
}
writeFileSync(path, JSON.stringify(out, null, 2) + '\n');
