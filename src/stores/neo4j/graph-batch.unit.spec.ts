import type { NodeRef, ViewOperation } from '../../core/plan';
import type { Neo4jTargetShape } from './neo4j-view-shape';
import neo4j, { Neo4jError } from 'neo4j-driver';
import { segmentOperations, type GraphOperation } from './graph-segments';
import { GraphStatementBuilder } from './graph-statement-builder';
import { nodeKeyId } from './graph-values';
import { classifyNeo4jError } from './neo4j-error-classifier';
import { declaredName, physicalName } from './neo4j-names';

const shape: Neo4jTargetShape = {
  kind: 'neo4j',
  nodes: {
    Customer: { key: 'customerId', properties: { customerId: 'string', name: 'string', since: 'datetime' } },
  },
  relationships: { FOLLOWS: { from: 'Customer', to: 'Customer', properties: { weight: 'integer' } } },
};
const c = (key: string): NodeRef => ({ label: 'Customer', key });
const merge = (key: string, set: Record<string, string>): GraphOperation => ({
  kind: 'mergeNode',
  node: c(key),
  set,
  position: 1n,
});
const del = (key: string): GraphOperation => ({ kind: 'deleteNode', node: c(key), position: 1n });
const follow = (a: string, b: string): GraphOperation => ({
  kind: 'mergeRelationship',
  type: 'FOLLOWS',
  from: c(a),
  to: c(b),
  set: {},
  position: 1n,
});
const unfollow = (a: string, b: string): GraphOperation => ({
  kind: 'deleteRelationship',
  type: 'FOLLOWS',
  from: c(a),
  to: c(b),
  position: 1n,
});

/** What a statement does, from its Cypher. */
const kindOf = (cypher: string) =>
  / DETACH DELETE /.test(cypher)
    ? 'delete node'
    : / DELETE r$/.test(cypher)
      ? 'delete relationship'
      : /\) CREATE \([no]\)-/.test(cypher)
        ? 'create node with relationship'
        : / MERGE \(a\)/.test(cypher)
          ? 'merge relationship'
          : / CREATE \(a\)/.test(cypher)
            ? 'create relationship'
            : /_prism_placeholder: true/.test(cypher)
              ? 'create placeholder'
              : / CREATE \(n/.test(cypher)
                ? 'create node'
                : 'update node';

const sizes = (operations: GraphOperation[]) =>
  segmentOperations(operations).map((segment) => segment.map((group) => group.length));

describe('graph batch segmentation', () => {
  it('keeps commuting operations in one segment, grouped by statement shape', () => {
    expect(
      sizes([
        merge('a', { name: 'A' }),
        follow('a', 'b'),
        merge('b', { name: 'B' }),
        follow('b', 'c'),
        del('z'),
        unfollow('x', 'y'),
      ]),
    ).toEqual([[2, 2, 1, 1]]);
  });

  it('starts a new segment when an operation does not commute with an earlier one', () => {
    expect(sizes([merge('a', { name: 'A' }), del('a'), merge('a', { name: 'B' })])).toEqual([[1, 1], [1]]);
    expect(sizes([del('b'), follow('a', 'b')])).toEqual([[1], [1]]);
    expect(sizes([follow('a', 'b'), unfollow('a', 'b'), follow('a', 'b')])).toEqual([[1, 1], [1]]);
    expect(sizes([merge('a', { name: 'A' }), merge('a', { since: 'x' })])).toEqual([[1], [1]]);
    // same shape, same node: one group, log order kept by the stable sort, so the last one wins
    expect(sizes([merge('a', { name: 'A' }), merge('a', { name: 'B' })])).toEqual([[2]]);
  });

  it('keeps deletes after merges in one segment and runs them in phases: merges, relationship deletes, node deletes', () => {
    const segments = segmentOperations([
      del('z'),
      follow('a', 'b'),
      unfollow('x', 'y'),
      del('b'),
      merge('a', { name: 'A' }),
    ]);
    expect(segments.map((segment) => segment.map((group) => group[0]!.kind))).toEqual([
      ['mergeRelationship', 'mergeNode', 'deleteRelationship', 'deleteNode'],
    ]);
  });

  it('runs updateNodes after the merges before it and before the deletes, and cuts where log order would break', () => {
    const rename = (
      value: string,
      set: Record<string, string> = { since: '2024-01-01T00:00:00Z' },
      max = 10,
    ): GraphOperation => ({
      kind: 'updateNodes',
      label: 'Customer',
      property: 'name',
      value,
      set,
      max,
      position: 1n,
    });
    const kinds = (operations: GraphOperation[]) =>
      segmentOperations(operations).map((segment) => segment.map((group) => group[0]!.kind));
    // merges before it, relationship and node deletes after it: one segment, in phases
    expect(kinds([merge('a', { name: 'A' }), rename('A'), unfollow('a', 'b'), follow('a', 'c')])).toEqual([
      ['mergeNode', 'mergeRelationship', 'updateNodes', 'deleteRelationship'],
    ]);
    // renames of one shape share a statement; a node merge or delete of the label after one cuts
    expect(sizes([rename('A'), rename('B'), rename('A')])).toEqual([[3]]);
    expect(sizes([rename('A'), merge('a', { name: 'B' })])).toEqual([[1], [1]]);
    expect(sizes([rename('A'), del('a')])).toEqual([[1], [1]]);
    // a delete before it (its cap would count the node), another shape, or one moving nodes: cut
    expect(sizes([del('a'), rename('A')])).toEqual([[1], [1]]);
    expect(sizes([rename('A'), rename('B', undefined, 20)])).toEqual([[1], [1]]);
    expect(sizes([rename('A', { name: 'B' }), rename('B', { name: 'C' })])).toEqual([[1], [1]]);
  });

  it('writes parameterized UNWIND statements with namespaced, quoted names and rows in key order, the last per node', () => {
    const builder = new GraphStatementBuilder('social-graph', 3, shape);
    const operations: ViewOperation[] = [
      merge('b', { name: 'B' }),
      merge('a', { name: 'A' }),
      merge('b', { name: 'B2' }),
    ];
    const batch = builder.prepare(operations);
    expect(batch.lookup).toEqual({
      cypher:
        'UNWIND $k0 AS k WITH k WHERE NOT EXISTS { MATCH (n:`Customer__social_graph_g3` {`customerId`: k}) } RETURN 0 AS l, k',
      parameters: { k0: ['a', 'b'] },
      labels: ['Customer'],
    });
    // nothing exists: CREATE
    expect(batch.statements(new Set())).toEqual([
      {
        cypher:
          'UNWIND $rows AS row CREATE (n:`Customer__social_graph_g3` {`customerId`: row.k, `name`: row.v[0]})',
        rows: [
          { k: 'a', v: ['A'] },
          { k: 'b', v: ['B2'] },
        ],
      },
    ]);
    // b exists: MATCH through the key, SET, and count the rows that found their node
    expect(batch.statements(new Set([nodeKeyId('Customer', 'b')]))).toEqual([
      {
        cypher:
          'UNWIND $rows AS row CREATE (n:`Customer__social_graph_g3` {`customerId`: row.k, `name`: row.v[0]})',
        rows: [{ k: 'a', v: ['A'] }],
      },
      {
        cypher:
          'UNWIND $rows AS row MATCH (n:`Customer__social_graph_g3` {`customerId`: row.k}) SET n.`name` = row.v[0], n._prism_placeholder = null RETURN count(*) AS matched',
        rows: [{ k: 'b', v: ['B2'] }],
        matches: 1,
      },
    ]);
  });

  it('CREATEs relationships with an end created in the segment, MERGEs the others, and skips nodes deleted later in it', () => {
    const builder = new GraphStatementBuilder('p', 1, shape);
    const batch = builder.prepare([
      follow('a', 'b'),
      follow('a', 'c'),
      merge('c', { name: 'C' }),
      follow('d', 'a'),
      merge('x', { name: 'X' }),
      follow('x', 'a'),
      follow('e', 'x'),
      del('x'),
    ]);
    const statements = batch.statements(new Set(['a', 'b', 'x'].map((key) => nodeKeyId('Customer', key))));
    expect(
      statements.map((statement) => [
        statement.cypher.replace(/`\w+__p_g1`/g, 'L').slice(0, 60),
        statement.rows,
      ]),
    ).toEqual([
      // d and e are new ends (e only as the end of a relationship to x, deleted); c is new and merged,
      // created with its first relationship (a exists)
      ['UNWIND $rows AS k CREATE (n:L {`customerId`: k, _prism_place', ['d', 'e']],
      ['UNWIND $rows AS row MATCH (o:L {`customerId`: row.o}) CREATE', [{ k: 'c', v: ['C'], o: 'a', w: [] }]],
      ['UNWIND $rows AS row MATCH (a:L {`customerId`: row.a}) MATCH ', [{ a: 'a', b: 'b', v: [] }]],
      ['UNWIND $rows AS row MATCH (a:L {`customerId`: row.a}) MATCH ', [{ a: 'd', b: 'a', v: [] }]],
      ['UNWIND $rows AS row MATCH (n:L {`customerId`: row.k}) DETACH', [{ k: 'x' }]],
    ]);
    expect(statements[1]!.cypher).toContain(
      ' CREATE (n:`Customer__p_g1` {`customerId`: row.k, `name`: row.v[0]}) CREATE (o)-[r:`FOLLOWS__p_g1`]->(n) RETURN count(*) AS matched',
    );
    expect(statements[1]!.matches).toBe(1);
    expect(statements[2]!.cypher).toContain(' MERGE (a)-[r:`FOLLOWS__p_g1`]->(b)');
    expect(statements[3]!.cypher).toContain(' CREATE (a)-[r:`FOLLOWS__p_g1`]->(b)');
    // a later segment sees what the earlier ones created and deleted
    const twice = builder.prepare([
      merge('n', { name: 'N' }),
      del('n'),
      merge('n', { name: 'M' }),
      follow('n', 'm'),
    ]);
    expect(twice.statements(new Set()).map((statement) => kindOf(statement.cypher))).toEqual([
      'delete node',
      'create placeholder',
      'create node with relationship',
    ]);
    expect(
      twice.statements(new Set([nodeKeyId('Customer', 'n')])).map((statement) => kindOf(statement.cypher)),
    ).toEqual(['delete node', 'create placeholder', 'create node with relationship']);
    expect(
      builder
        .prepare([merge('n', { name: 'N' }), follow('n', 'm')])
        .statements(new Set(['n', 'm'].map((key) => nodeKeyId('Customer', key))))
        .map((statement) => kindOf(statement.cypher)),
    ).toEqual(['update node', 'merge relationship']);
  });

  it('looks up only labels with mergeNode rows, and MERGEs the ends of the others where they are used', () => {
    const orders: Neo4jTargetShape = {
      kind: 'neo4j',
      nodes: {
        Order: { key: 'orderId', properties: { orderId: 'string', placedAt: 'datetime' } },
        Product: { key: 'productId', properties: { productId: 'string' } },
      },
      relationships: { CONTAINS: { from: 'Order', to: 'Product', properties: { qty: 'integer' } } },
    };
    const order = (key: string): NodeRef => ({ label: 'Order', key });
    const contains = (o: string, p: string): GraphOperation => ({
      kind: 'mergeRelationship',
      type: 'CONTAINS',
      from: order(o),
      to: { label: 'Product', key: p },
      set: {},
      position: 1n,
    });
    const batch = new GraphStatementBuilder('p', 1, orders).prepare([
      { kind: 'mergeNode', node: order('o1'), set: {}, position: 1n },
      contains('o1', 'p1'),
      contains('o0', 'p1'),
      { kind: 'mergeNode', node: order('o2'), set: {}, position: 1n },
      contains('o2', 'p2'),
      contains('o2', 'p1'),
      { kind: 'deleteNode', node: order('o2'), position: 1n },
    ]);
    expect(batch.lookup?.labels).toEqual(['Order']);
    expect(batch.lookup?.parameters).toEqual({ k0: ['o1', 'o2', 'o0'] });
    const statements = batch.statements(new Set([nodeKeyId('Order', 'o0')]));
    expect(statements.map((statement) => statement.cypher.replace(/`(\w+)__p_g1`/g, '$1'))).toEqual([
      // p2 is only the end of relationships to o2, deleted in the segment: it must still exist (p1 is
      // MERGEd by the statements below anyway)
      'UNWIND $rows AS k MERGE (n:Product {`productId`: k}) ON CREATE SET n._prism_placeholder = true',
      // o1 is new: created with its relationship to p1, which nobody looked up
      'UNWIND $rows AS row MERGE (o:Product {`productId`: row.o}) ON CREATE SET o._prism_placeholder = true ' +
        'CREATE (n:Order {`orderId`: row.k}) CREATE (n)-[r:CONTAINS]->(o) RETURN count(*) AS matched',
      // p1 exists once the statement above has run
      'UNWIND $rows AS row MATCH (a:Order {`orderId`: row.a}) MATCH (b:Product {`productId`: row.b}) ' +
        'MERGE (a)-[r:CONTAINS]->(b) RETURN count(*) AS matched',
      'UNWIND $rows AS row MATCH (n:Order {`orderId`: row.k}) DETACH DELETE n',
    ]);
    expect(statements.map((statement) => statement.rows)).toEqual([
      ['p2'],
      [{ k: 'o1', v: [], o: 'p1', w: [] }],
      [{ a: 'o0', b: 'p1', v: [] }],
      [{ k: 'o2' }],
    ]);
  });

  it('CREATEs a new node with its first relationship in one statement, unless the other end is fused or the node is one', () => {
    const purchases: Neo4jTargetShape = {
      kind: 'neo4j',
      nodes: {
        Customer: { key: 'customerId', properties: { customerId: 'string', name: 'string' } },
        Order: { key: 'orderId', properties: { orderId: 'string' } },
        Product: { key: 'productId', properties: { productId: 'string' } },
      },
      relationships: {
        PLACED: { from: 'Customer', to: 'Order', properties: {} },
        CONTAINS: { from: 'Order', to: 'Product', properties: { qty: 'integer' } },
      },
    };
    const node = (label: string, key: string): NodeRef => ({ label, key });
    const relationship = (type: string, from: NodeRef, to: NodeRef, set = {}): GraphOperation => ({
      kind: 'mergeRelationship',
      type,
      from,
      to,
      set,
      position: 1n,
    });
    const [c1, o1, o2] = [node('Customer', 'c1'), node('Order', 'o1'), node('Order', 'o2')];
    const batch = new GraphStatementBuilder('p', 1, purchases).prepare([
      { kind: 'mergeNode', node: c1, set: { name: 'Ann' }, position: 1n },
      { kind: 'mergeNode', node: o1, set: {}, position: 1n },
      relationship('PLACED', c1, o1),
      relationship('CONTAINS', o1, node('Product', 'p1'), { qty: 2 }),
      relationship('CONTAINS', o1, node('Product', 'p2'), { qty: 1 }),
      { kind: 'mergeNode', node: o2, set: {}, position: 1n },
      relationship('PLACED', c1, o2),
    ]);
    const statements = batch.statements(new Set([nodeKeyId('Customer', 'c1')]));
    expect(
      statements.map((statement) => [statement.cypher.replace(/`(\w+)__p_g1`/g, '$1'), statement.rows]),
    ).toEqual([
      [
        'UNWIND $rows AS row MATCH (n:Customer {`customerId`: row.k}) SET n.`name` = row.v[0], n._prism_placeholder = null RETURN count(*) AS matched',
        [{ k: 'c1', v: ['Ann'] }],
      ],
      // each order with its PLACED, the customer found by its key
      [
        'UNWIND $rows AS row MATCH (o:Customer {`customerId`: row.o}) CREATE (n:Order {`orderId`: row.k}) ' +
          'CREATE (o)-[r:PLACED]->(n) RETURN count(*) AS matched',
        [
          { k: 'o1', v: [], o: 'c1', w: [] },
          { k: 'o2', v: [], o: 'c1', w: [] },
        ],
      ],
      // o1's other relationships are CREATEd after it (it is new), their products MERGEd (nobody looked them up)
      [
        'UNWIND $rows AS row MATCH (a:Order {`orderId`: row.a}) MERGE (b:Product {`productId`: row.b}) ON CREATE SET b._prism_placeholder = true ' +
          'CREATE (a)-[r:CONTAINS {`qty`: row.v[0]}]->(b) RETURN count(*) AS matched',
        [
          { a: 'o1', b: 'p1', v: [neo4j.int(2)] },
          { a: 'o1', b: 'p2', v: [neo4j.int(1)] },
        ],
      ],
    ]);
    expect(statements[1]!.matches).toBe(2);

    // n1 -> n2: n1 is fused, so n2 (its other end) is created before it; n2 -> n3 then CREATEs a
    // relationship to n3, which exists; n4 follows itself and is created alone
    const social = new GraphStatementBuilder('p', 1, shape).prepare([
      merge('n1', {}),
      merge('n2', {}),
      merge('n4', {}),
      follow('n1', 'n2'),
      follow('n2', 'n3'),
      follow('n4', 'n4'),
    ]);
    const chain = social.statements(new Set([nodeKeyId('Customer', 'n3')]));
    expect(chain.map((statement) => [kindOf(statement.cypher), statement.rows])).toEqual([
      [
        'create node',
        [
          { k: 'n2', v: [] },
          { k: 'n4', v: [] },
        ],
      ],
      ['create node with relationship', [{ k: 'n1', v: [], o: 'n2', w: [] }]],
      [
        'create relationship',
        [
          { a: 'n2', b: 'n3', v: [] },
          { a: 'n4', b: 'n4', v: [] },
        ],
      ],
    ]);
    expect(chain[1]!.cypher).toContain(' CREATE (n)-[r:`FOLLOWS__p_g1`]->(o) ');
  });

  it('refuses operations outside the declared shape', () => {
    const builder = new GraphStatementBuilder('p', 1, shape);
    expect(() => builder.prepare([merge('a', { email: 'x' })])).toThrow(/email/);
    expect(() => builder.prepare([merge('a', { customerId: 'x' })])).toThrow(/key property/);
    expect(() => builder.prepare([{ kind: 'put', key: 'a', document: {}, position: 1n }])).toThrow(
      /document/,
    );
  });

  it('maps declared names to physical ones and back', () => {
    expect(physicalName('Customer', 'social-graph', 2)).toBe('Customer__social_graph_g2');
    expect(declaredName('Customer__social_graph_g2', 'social-graph', 2)).toBe('Customer');
    expect(declaredName('Customer__social_graph_g1', 'social-graph', 2)).toBeUndefined();
    expect(() => physicalName('Bad`Label', 'p', 1)).toThrow(/not a valid graph name/);
  });
});

describe('Neo4j error classification', () => {
  it('tells transient from poison errors', () => {
    expect(
      classifyNeo4jError(
        new Neo4jError('deadlock', 'Neo.TransientError.Transaction.DeadlockDetected', '50N00', 'x'),
      ),
    ).toBe('transient');
    expect(classifyNeo4jError(new Neo4jError('down', 'ServiceUnavailable', '08N00', 'x'))).toBe('transient');
    expect(
      classifyNeo4jError(
        new Neo4jError('dup', 'Neo.ClientError.Schema.ConstraintValidationFailed', '22N00', 'x'),
      ),
    ).toBe('poison');
    expect(
      classifyNeo4jError(new Neo4jError('typo', 'Neo.ClientError.Statement.SyntaxError', '42N00', 'x')),
    ).toBeUndefined();
    expect(classifyNeo4jError(new Error('other'))).toBeUndefined();
  });
});
