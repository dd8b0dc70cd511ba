/**
 * Docs that cannot rot: every YAML example in src/dsl/README.md must be a valid definition, or, for an
 * event catalog file (it starts with `complete:` or `events:`), a valid catalog.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEventCatalog } from '../events-catalog/build-catalog';
import { formatDefinitionError } from './errors/definition-error';
import { checkDefinitionSource } from './loader/definition.loader';

const readme = readFileSync(join(__dirname, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);
const isCatalog = (block: string) => /^(complete|events):/.test(block);
const examples = blocks.filter((block) => !isCatalog(block));
const catalogs = blocks.filter(isCatalog);

describe('src/dsl/README.md', () => {
  it('has YAML examples', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples.map((example, index) => [index + 1, example]))(
    'YAML example %i is a valid definition',
    (_index, example) => {
      const check = checkDefinitionSource(example, 'README.md');
      expect(check.problems.map(formatDefinitionError)).toEqual([]);
      expect(check.checked).toBeDefined();
    },
  );

  it.each(catalogs.map((catalog, index) => [index + 1, catalog]))(
    'event catalog example %i is a valid catalog file',
    (_index, catalog) => {
      const build = buildEventCatalog({ file: { text: catalog, name: 'events.catalog.yaml' } });
      expect(build.problems.map(formatDefinitionError)).toEqual([]);
      expect(build.catalog?.get('PaymentReceived')?.upcasters.size).toBe(1);
    },
  );
});
