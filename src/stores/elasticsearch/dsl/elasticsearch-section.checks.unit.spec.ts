/** Sub-fields (issue #16) in the section's own checks, as `prism validate` reports them. */
import { formatDefinitionError } from '../../../dsl/errors/definition-error';
import { checkDefinitionSource } from '../../../dsl/loader/definition.loader';
import { compileYamlDefinition } from '../../../dsl/testing/compile-yaml';
import { elasticsearchShape } from '../elasticsearch-shape';
import { elasticsearchChecks } from '../elasticsearch.checks';

function problemsOf(fields: string, extra = ''): string[] {
  const text = `name: people
version: 1
source: { events: [Registered] }
target:
  kind: elasticsearch
  index: people
  id: id
  fields:
    id: { type: keyword }
${fields}
handlers:
  Registered:
    - upsert: { key: event.data.id }
${extra}`;
  return checkDefinitionSource(text, 'people.yaml').problems.map(formatDefinitionError);
}

describe('Elasticsearch sub-fields', () => {
  it('accepts keyword and text sub-fields of text and keyword fields, facets and filters on them', () => {
    expect(
      problemsOf(
        `    city: { type: text, fields: { raw: { type: keyword, facet: true, filter: true } } }
    code: { type: keyword, fields: { words: { type: text, analyzer: simple } } }`,
        `queries:
  byCity:
    parameters: { q: { type: string } }
    facets: [city.raw, code]
    search: { query: { match: { code.words: '{{q}}' } }, sort: [{ city.raw: asc }] }`,
      ),
    ).toEqual([]);
  });

  it('refuses sub-fields of other types, analyzers on keyword sub-fields, and a number sub-field type', () => {
    expect(
      problemsOf(`    price: { type: long, fields: { raw: { type: keyword } } }
    city: { type: text, fields: { raw: { type: keyword, analyzer: simple } } }`),
    ).toEqual([
      'people.yaml:10:26 error invalid-value target.fields.price.fields: field "price" is long: sub-fields index a text or keyword value another way (remove fields, or declare the field as text or keyword)',
      'people.yaml:11:67 error invalid-value target.fields.city.fields.raw.analyzer: field "city.raw" is keyword: only text fields are analyzed (remove analyzer, or make the field type: text)',
    ]);
    expect(problemsOf(`    city: { type: text, fields: { raw: { type: long } } }`)[0]).toMatch(
      /^people\.yaml:10:48 error invalid-value target\.fields\.city\.fields\.raw\.type: /,
    );
  });
});

describe('prism plan outline of sub-fields', () => {
  it('lists each sub-field by its path, so adding one shows as a mapping change', () => {
    const plan = compileYamlDefinition(
      `name: people
version: 1
source: { events: [Registered] }
target:
  kind: elasticsearch
  index: people
  id: id
  fields:
    id: { type: keyword }
    city: { type: text, fields: { raw: { type: keyword, facet: true } } }
handlers:
  Registered:
    - upsert: { key: event.data.id, set: { city: event.data.city } }
`,
      'people.yaml',
    );
    expect(elasticsearchChecks.outline(elasticsearchShape(plan.name, plan.target)).members).toEqual({
      field: { id: 'keyword', city: 'text', 'city.raw': 'keyword facet' },
    });
  });
});
