import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDefinitionError } from '../errors/definition-error';
import { checkDefinitionSource } from '../loader/definition.loader';
import { compileYamlDefinition } from '../testing/compile-yaml';

const PROJECTIONS = join(__dirname, '..', '..', '..', 'projections');
const read = (file: string) => readFileSync(join(PROJECTIONS, file), 'utf8');
const withSegments = (text: string, segments: number | string) =>
  text.replace(/^version: 1\n/m, `version: 1\nsegments: ${segments}\n`);

describe('segments: N (issue #15)', () => {
  it.each(['order-summary.yaml', 'order-search.yaml', 'product-search.yaml'])(
    'is accepted on the document view %s and reaches the plan',
    (file) => {
      const plan = compileYamlDefinition(withSegments(read(file), 4));
      expect(plan.segments).toBe(4);
    },
  );

  it('changes the fingerprint (a rebuild), except segments: 1, which is no segmenting', () => {
    const text = read('order-summary.yaml');
    const base = compileYamlDefinition(text);
    expect(base.segments).toBeUndefined();
    expect(compileYamlDefinition(withSegments(text, 1)).fingerprint).toBe(base.fingerprint);
    expect(compileYamlDefinition(withSegments(text, 1)).segments).toBeUndefined();
    const two = compileYamlDefinition(withSegments(text, 2)).fingerprint;
    expect(two).not.toBe(base.fingerprint);
    expect(compileYamlDefinition(withSegments(text, 3)).fingerprint).not.toBe(two);
  });

  it.each(['purchase-graph.yaml', 'social-graph.yaml'])(
    'is refused on the graph view %s, at the segments line, saying why',
    (file) => {
      const check = checkDefinitionSource(withSegments(read(file), 2), file);
      const lines = check.problems.map(formatDefinitionError);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^${file}:\\d+:11 error segments-not-supported segments: a Neo4j graph view cannot be segmented: a relationship MERGE`,
        ),
      );
      const line = Number(lines[0]!.split(':')[1]);
      expect(withSegments(read(file), 2).split('\n')[line - 1]).toBe('segments: 2');
    },
  );

  it.each([
    [0, /must be at least 1/],
    [65, /must be at most 64/],
    ['four', /expected a number/],
  ])('refuses segments: %s', (value, message) => {
    const check = checkDefinitionSource(
      withSegments(read('order-summary.yaml'), value),
      'order-summary.yaml',
    );
    expect(check.problems.map(formatDefinitionError).join('\n')).toMatch(message);
  });
});
