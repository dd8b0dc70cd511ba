/** Docs that cannot rot: every YAML example in src/dsl/README.md must be a valid definition. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDefinitionError } from './errors/definition-error';
import { checkDefinitionSource } from './loader/definition.loader';

const readme = readFileSync(join(__dirname, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);

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
});
