import { analyzeCypher } from './cypher-read-only';

const writes = (cypher: string) =>
  analyzeCypher(cypher)
    .findings.filter((finding) => finding.kind === 'write-clause')
    .map((finding) => cypher.slice(finding.offset).split(/[\s(]/)[0]);

describe('analyzeCypher', () => {
  it.each([
    ['CREATE (n:X)', ['CREATE']],
    ['MATCH (n) SET n.a = 1', ['SET']],
    ['merge (n:X {id: 1})', ['merge']],
    ['MATCH (n) DETACH DELETE n', ['DETACH', 'DELETE']],
    ['MATCH (n) REMOVE n:Label', ['REMOVE']],
    ['MATCH (n) FOREACH (x IN [1] | SET n.a = x)', ['FOREACH', 'SET']],
    ["LOAD CSV FROM 'f' AS row RETURN row", ['LOAD']],
    ['MATCH (n) CALL { WITH n RETURN n.a AS a } IN TRANSACTIONS RETURN a', ['IN']],
    ['CALL db.createLabel("X")', ['db.createLabel']],
    ['CALL apoc.periodic.iterate("a", "b", {})', ['apoc.periodic.iterate']],
    ['DROP INDEX idx', ['DROP']],
    ['INSERT (n:X)', ['INSERT']],
  ])('rejects the write in %s', (cypher, expected) => {
    expect(writes(cypher)).toEqual(expected);
  });

  it.each([
    ["MATCH (n) WHERE n.title = 'CREATE SET DELETE' RETURN n"],
    ['// CREATE in a comment\nMATCH (n) /* MERGE */ RETURN n'],
    ['MATCH (n:Set)-[:CREATE|MERGE]->(m:`Delete`) RETURN n.set, n.`merge`'],
    ['MATCH (n) RETURN {create: 1, set: 2} AS m'],
    ['MATCH (n) RETURN [x IN n.list | x.remove] AS r'],
    ['CALL db.labels() YIELD label RETURN label'],
    ['CALL db.index.fulltext.queryNodes("products", $q) YIELD node RETURN node'],
    ['MATCH (n) CALL { WITH n MATCH (n)-->(m) RETURN m } RETURN m'],
  ])('accepts the read query %s', (cypher) => {
    expect(analyzeCypher(cypher).findings).toEqual([]);
  });

  it('lists parameters once each, outside strings and comments', () => {
    const analysis = analyzeCypher(
      "MATCH (n {id: $id}) WHERE n.x = '$notParam' // $nope\nRETURN n LIMIT $limit SKIP $`odd name` + $id",
    );
    expect([...analysis.parameters.keys()]).toEqual(['id', 'limit', 'odd name']);
    expect(analysis.parameters.get('id')).toBe(14);
  });

  it('reports an unterminated string or comment', () => {
    expect(analyzeCypher("MATCH (n) WHERE n.a = 'x RETURN n").findings).toEqual([
      { kind: 'syntax', offset: 22, message: "unterminated string starting with '" },
    ]);
    expect(analyzeCypher('MATCH (n) /* RETURN n').findings[0]?.message).toBe('unterminated /* comment');
  });
});
