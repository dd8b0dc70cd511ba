/** The data-test runner itself: failures must be caught and explained field by field. */
import { compileProjection } from '../../src/dsl/compiler/projection.compiler';
import { checkDefinitions } from '../../src/dsl/loader/definition.loader';
import { parseProjectionTestFile, runProjectionTestCase } from '../../src/dsl/testing/projection-test.runner';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const definitions = checkDefinitions(['projections'], ROOT).definitions;
const projection = (name: string) => compileProjection(definitions.find((d) => d.definition.name === name)!);

function caseOf(yaml: string) {
  const parsed = parseProjectionTestFile(yaml, 'inline.test.yaml');
  expect(parsed.problems).toEqual([]);
  return parsed.test!.cases[0]!;
}

describe('projection test runner', () => {
  const placed = `
      - type: OrderPlaced
        streamId: order-o1
        data: { orderId: o1, customerId: c1, placedAt: '2024-03-01T10:00:00Z' }
      - type: OrderPlaced
        streamId: order-o2
        data: { orderId: o2, customerId: c2, placedAt: '2024-03-01T10:00:00Z' }`;

  it('reports missing, unexpected and changed documents with the fields that differ', () => {
    const testCase = caseOf(`projection: order_summary
cases:
  - name: wrong expectations
    given:${placed}
    expect:
      documents:
        - { order_id: o1, customer_id: c1, status: shipped, item_count: 0 }
        - { order_id: o3, customer_id: c3, status: placed, item_count: 0, total: 0 }
`);
    const result = runProjectionTestCase(projection('order_summary'), testCase);
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual([
      'document order_id=o1 differs:\n      status: expected "shipped", got "placed"\n      total: not expected, got 0',
      'missing document order_id=o3: {"customer_id":"c3","item_count":0,"order_id":"o3","status":"placed","total":0}',
      'unexpected document order_id=o2: {"customer_id":"c2","item_count":0,"order_id":"o2","status":"placed","total":0} (did you mean "o3"?)',
    ]);
  });

  it('compares graphs by node and relationship identity', () => {
    const testCase = caseOf(`projection: social_graph
cases:
  - name: wrong graph
    given:
      - { type: CustomerFollowed, streamId: customer-c1, data: { customerId: c1, followedCustomerId: c2 } }
    expect:
      nodes:
        - { label: Customer, key: c1 }
      relationships:
        - { type: FOLLOWS, from: 'Customer:c2', to: 'Customer:c1' }
`);
    const result = runProjectionTestCase(projection('social_graph'), testCase);
    expect(result.failures).toEqual([
      'unexpected node Customer:c2: {}',
      'missing relationship Customer:c2-[FOLLOWS]->Customer:c1: {}',
      'unexpected relationship Customer:c1-[FOLLOWS]->Customer:c2: {"since":"2024-01-01T00:00:00.000Z"} (did you mean "Customer:c2-[FOLLOWS]->Customer:c1"?)',
    ]);
  });

  it('compares the lookups a case names, entry by entry, and names an undeclared lookup', () => {
    const testCase = caseOf(`projection: customer_stats
cases:
  - name: wrong lookups
    given:${placed}
      - { type: ItemAdded, streamId: order-o1, data: { orderId: o1, productId: p1, qty: 2, price: 150 } }
    expect:
      documents:
        - { customer_id: c1, orders_placed: 1, orders_shipped: 0, orders_cancelled: 0, total_spent: 300 }
        - { customer_id: c2, orders_placed: 1, orders_shipped: 0, orders_cancelled: 0, total_spent: 0 }
      lookups:
        order_customer: { o1: c1, o2: c9, o3: c3 }
        order_totals: { o1: 300 }
`);
    const result = runProjectionTestCase(projection('customer_stats'), testCase);
    expect(result.failures).toEqual([
      'lookup order_customer[o2] differs:\n      value: expected "c9", got "c2"',
      'missing lookup order_customer[o3]: {"value":"c3"}',
      'expect.lookups.order_totals: the projection declares no lookup "order_totals" (did you mean "order_total"?); declared: order_customer, order_total',
    ]);
    const right = caseOf(`projection: customer_stats
cases:
  - name: right lookups
    given:${placed}
    expect:
      documents:
        - { customer_id: c1, orders_placed: 1, orders_shipped: 0, orders_cancelled: 0, total_spent: 0 }
        - { customer_id: c2, orders_placed: 1, orders_shipped: 0, orders_cancelled: 0, total_spent: 0 }
      lookups:
        order_total: { o1: 0, o2: 0 }
`);
    expect(runProjectionTestCase(projection('customer_stats'), right).failures).toEqual([]);
  });

  it('fails a case that expects an error when every event applies', () => {
    const testCase = caseOf(`projection: order_summary
cases:
  - name: no poison here
    given:${placed}
    expect: { error: 'boom' }
`);
    expect(runProjectionTestCase(projection('order_summary'), testCase).failures).toEqual([
      'expected a ProjectionEvaluationError containing "boom", but every event applied',
    ]);
  });

  it('reports an unexpected evaluation error as a failure with its reason', () => {
    const testCase = caseOf(`projection: order_summary
cases:
  - name: numeric order id
    given:
      - { type: OrderPlaced, streamId: order-7, data: { orderId: 7, customerId: c1, placedAt: x } }
    expect: { documents: [] }
`);
    expect(runProjectionTestCase(projection('order_summary'), testCase).failures).toEqual([
      'applying the events failed: Projection "order_summary" could not apply OrderPlaced: handlers.OrderPlaced[0].upsert.key ("event.data.orderId") at position 1: expected a string for text, got int 7',
    ]);
  });

  it('reports a malformed test file with positions', () => {
    const parsed = parseProjectionTestFile(
      'projection: order_summary\ncases:\n  - name: x\n    givn: []\n    expect: {}\n',
      't.test.yaml',
    );
    expect(parsed.problems.map((p) => `${p.line}:${p.column} ${p.code} ${p.path}`)).toEqual([
      '4:5 unknown-key cases[0].givn',
    ]);
  });
});
