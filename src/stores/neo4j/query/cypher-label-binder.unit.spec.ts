import neo4j from 'neo4j-driver';
import type { NamedQuery } from '../../../core/plan';
import type { Neo4jTargetShape } from '../neo4j-view-shape';
import { bindLabels } from './cypher-label-binder';
import { bindParameters } from './graph-query.parameters';

const shape: Neo4jTargetShape = {
  kind: 'neo4j',
  nodes: { Customer: { key: 'customerId', properties: {} }, Order: { key: 'orderId', properties: {} } },
  relationships: {
    PLACED: { from: 'Customer', to: 'Order', properties: {} },
    FOLLOWS: { from: 'Customer', to: 'Customer', properties: {} },
  },
};
const bind = (cypher: string) => bindLabels(cypher, shape, 'shop-graph', 2);

describe('binding named queries to a generation', () => {
  it('rewrites declared labels and types in label position only', () => {
    expect(bind('MATCH (c:Customer {customerId: $id})-[:PLACED]->(o:Order) RETURN o')).toBe(
      'MATCH (c:`Customer__shop_graph_g2` {customerId: $id})-[:`PLACED__shop_graph_g2`]->(o:`Order__shop_graph_g2`) RETURN o',
    );
  });

  it('leaves strings, comments, map keys, properties, parameters and undeclared names alone', () => {
    const text = `// Customer:PLACED
MATCH (c) WHERE c.Customer = 'x:Customer' AND c:Customer RETURN {Customer: c.name, Order: 1} AS m, $Customer, c:Other /* :Order */`;
    expect(bind(text)).toBe(
      `// Customer:PLACED
MATCH (c) WHERE c.Customer = 'x:Customer' AND c:\`Customer__shop_graph_g2\` RETURN {Customer: c.name, Order: 1} AS m, $Customer, c:Other /* :Order */`,
    );
  });

  it('handles label expressions, quoted names, several labels and subquery blocks', () => {
    expect(
      bind(
        'MATCH (a:Customer|Order)-[r:PLACED|FOLLOWS]->(b:`Order`) WHERE EXISTS { (a)-[:FOLLOWS]->(:!Order) } RETURN a',
      ),
    ).toBe(
      'MATCH (a:`Customer__shop_graph_g2`|`Order__shop_graph_g2`)-[r:`PLACED__shop_graph_g2`|`FOLLOWS__shop_graph_g2`]->(b:`Order__shop_graph_g2`) ' +
        'WHERE EXISTS { (a)-[:`FOLLOWS__shop_graph_g2`]->(:!`Order__shop_graph_g2`) } RETURN a',
    );
  });
});

describe('typed query parameters', () => {
  const query: NamedQuery = {
    name: 'q',
    body: 'RETURN 1',
    parameters: {
      id: { type: 'string', required: true },
      limit: { type: 'integer', required: false, default: 10 },
      ratio: { type: 'float', required: false },
      flag: { type: 'boolean', required: false },
    },
  };

  it('types values and fills defaults', () => {
    const bound = bindParameters(query, { id: 'a', ratio: '0.5', flag: 'false' });
    expect(bound).toEqual({ id: 'a', limit: neo4j.int(10), ratio: 0.5, flag: false });
  });

  it('names the parameter in every refusal', () => {
    expect(() => bindParameters(query, {})).toThrow(/"id".*missing/);
    expect(() => bindParameters(query, { id: 'a', limit: '1.5' })).toThrow(/"limit".*integer/);
    expect(() => bindParameters(query, { id: 'a', limit: '99999999999999999999' })).toThrow(/"limit"/);
    expect(() => bindParameters(query, { id: 'a', flag: '1' })).toThrow(/"flag".*boolean/);
    expect(() => bindParameters(query, { id: ['a', 'b'] })).toThrow(/"id".*once/);
    expect(() => bindParameters(query, { id: 'a', other: 'x' })).toThrow(/"other".*not a parameter/);
  });
});
