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

describe('analyzeCypher: administration commands (issue #12)', () => {
  const messages = (cypher: string) => analyzeCypher(cypher).findings.map((finding) => finding.message);

  it.each([
    ["TERMINATE TRANSACTIONS 'neo4j-transaction-1'", 'TERMINATE ends transactions'],
    ['SHOW TRANSACTIONS', 'SHOW lists server state'],
    ['SHOW USERS YIELD user RETURN user', 'SHOW lists server state'],
    ['USE system MATCH (n) RETURN n', 'USE switches to another database'],
    ['STOP DATABASE neo4j', 'START administers'.replace('START', 'STOP')],
    ['EXPLAIN MATCH (n) RETURN n', 'EXPLAIN returns a plan'],
    ['CYPHER runtime=slotted MATCH (n) RETURN n', 'query options'],
    ['MATCH (n) RETURN n UNION SHOW DATABASES', 'SHOW lists server state'],
    ['MATCH (n) RETURN n UNION ALL TERMINATE TRANSACTIONS "x"', 'TERMINATE ends transactions'],
    ['MATCH (n) CALL { USE other MATCH (m) RETURN m } RETURN n, m', 'USE switches'],
    ['MATCH (n) CALL (n) { SHOW TRANSACTIONS } RETURN n', 'SHOW lists server state'],
    ['MATCH (n) RETURN n; MATCH (m) RETURN m', 'one statement'],
    ['GRANT ROLE admin TO mallory', 'GRANT changes privileges'],
  ])('rejects %s', (cypher, expected) => {
    expect(messages(cypher).join('\n')).toContain(expected);
  });

  it.each([
    ['CALL dbms.killQuery("q")', 'dbms.killQuery'],
    ['CALL dbms.setConfigValue("a", "b")', 'dbms.setConfigValue'],
    ['CALL db.clearQueryCaches()', 'db.clearQueryCaches'],
    ['CALL db.createIndex("i", ["L"], ["p"], "native-btree-1.0")', 'db.createIndex'],
  ])('rejects the admin or write procedure in %s', (cypher, procedure) => {
    expect(messages(cypher)).toEqual([expect.stringContaining(`procedure "${procedure}"`)]);
  });

  it.each([
    ['OPTIONAL MATCH (n) RETURN n'],
    ['UNWIND [1, 2] AS x RETURN x'],
    ['WITH 1 AS x RETURN x'],
    ['MATCH (start)-->(stop) WITH start AS show RETURN show'],
    ['MATCH (n) RETURN n UNION ALL MATCH (m) RETURN m'],
    ['MATCH (n) CALL (n) { MATCH (n)-->(m) RETURN m } RETURN m'],
    ['MATCH (n) RETURN n;'],
  ])('accepts the read query %s', (cypher) => {
    expect(analyzeCypher(cypher).findings).toEqual([]);
  });
});
