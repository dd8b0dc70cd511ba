import { FanOutCapError } from '../../core/fan-out';
import type { ViewOperation } from '../../core/plan';
import type { Neo4jTargetShape } from '../neo4j/neo4j-view-shape';
import { MemoryDocumentView, MemoryGraphView, UnsupportedViewOperationError } from './memory.view';

const shape: Neo4jTargetShape = {
  kind: 'neo4j',
  nodes: {
    Customer: { key: 'customerId', properties: { customerId: 'string', name: 'string' } },
    Order: {
      key: 'orderId',
      properties: { orderId: 'string', customerId: 'string', customerName: 'string' },
      indexes: ['customerId'],
    },
  },
  relationships: { PLACED: { from: 'Customer', to: 'Order', properties: {} } },
};
const customer = { label: 'Customer', key: 'c1' };
const order = { label: 'Order', key: 'o1' };

describe('MemoryDocumentView', () => {
  it('puts whole documents, deletes them, and serves state for keys', () => {
    const view = new MemoryDocumentView();
    view.apply([
      { kind: 'put', key: 'a', document: { id: 'a', n: 1 }, position: 1n },
      { kind: 'put', key: 'b', document: { id: 'b', n: 2 }, position: 2n },
      { kind: 'put', key: 'a', document: { id: 'a', n: 3 }, position: 3n },
      { kind: 'delete', key: 'b', position: 4n },
    ]);
    expect(view.all()).toEqual([{ id: 'a', n: 3 }]);
    expect(view.state(['a', 'b'])).toEqual(new Map([['a', { id: 'a', n: 3 }]]));
    expect(view.position).toBe(4n);
  });

  it('hands out copies: changing a returned document does not change the view', () => {
    const view = new MemoryDocumentView();
    view.apply([{ kind: 'put', key: 'a', document: { id: 'a', tags: ['x'] }, position: 1n }]);
    (view.state(['a']).get('a')!.tags as string[]).push('y');
    expect(view.get('a')).toEqual({ id: 'a', tags: ['x'] });
  });

  it('applying the same operations twice leaves the same view', () => {
    const operations: ViewOperation[] = [{ kind: 'put', key: 'a', document: { id: 'a' }, position: 1n }];
    const view = new MemoryDocumentView();
    view.apply(operations);
    view.apply(operations);
    expect(view.all()).toEqual([{ id: 'a' }]);
  });

  it('refuses graph operations', () => {
    expect(() =>
      new MemoryDocumentView().apply([{ kind: 'deleteNode', node: customer, position: 1n }]),
    ).toThrow(UnsupportedViewOperationError);
  });
});

describe('MemoryGraphView', () => {
  it('creates placeholder end nodes for a relationship, then fills them in', () => {
    const view = new MemoryGraphView(shape);
    view.apply([
      { kind: 'mergeRelationship', type: 'PLACED', from: customer, to: order, set: {}, position: 1n },
    ]);
    expect(view.allNodes()).toEqual([
      { label: 'Customer', key: 'c1', properties: {} },
      { label: 'Order', key: 'o1', properties: {} },
    ]);
    view.apply([{ kind: 'mergeNode', node: customer, set: { name: 'Ada' }, position: 2n }]);
    view.apply([{ kind: 'mergeNode', node: customer, set: { city: 'London' }, position: 3n }]);
    expect(view.node('Customer', 'c1')).toEqual({
      label: 'Customer',
      key: 'c1',
      properties: { name: 'Ada', city: 'London' },
    });
    expect(view.allRelationships()).toHaveLength(1);
  });

  it('keeps one relationship per type and end nodes, merging its properties', () => {
    const view = new MemoryGraphView(shape);
    view.apply([
      { kind: 'mergeRelationship', type: 'PLACED', from: customer, to: order, set: { a: 1 }, position: 1n },
      { kind: 'mergeRelationship', type: 'PLACED', from: customer, to: order, set: { b: 2 }, position: 2n },
    ]);
    expect(view.allRelationships()).toEqual([
      { type: 'PLACED', from: customer, to: order, properties: { a: 1, b: 2 } },
    ]);
    view.apply([{ kind: 'deleteRelationship', type: 'PLACED', from: customer, to: order, position: 3n }]);
    expect(view.allRelationships()).toEqual([]);
    expect(view.allNodes()).toHaveLength(2);
  });

  it('deleting a node removes its relationships', () => {
    const view = new MemoryGraphView(shape);
    view.apply([
      { kind: 'mergeRelationship', type: 'PLACED', from: customer, to: order, set: {}, position: 1n },
      { kind: 'deleteNode', node: order, position: 2n },
    ]);
    expect(view.allNodes()).toEqual([{ label: 'Customer', key: 'c1', properties: {} }]);
    expect(view.allRelationships()).toEqual([]);
    expect(view.state(['Customer:c1'])).toEqual(new Map());
  });

  it('updateNodes sets properties on every node of the label holding the value, as earlier operations left them', () => {
    const view = new MemoryGraphView(shape, 'orders');
    const placed = (key: string, customerId: string, position: bigint): ViewOperation => ({
      kind: 'mergeNode',
      node: { label: 'Order', key },
      set: { customerId },
      position,
    });
    const rename = (max: number, position: bigint): ViewOperation => ({
      kind: 'updateNodes',
      label: 'Order',
      property: 'customerId',
      value: 'c1',
      set: { customerName: `Ada${position}` },
      max,
      position,
    });
    view.apply([placed('o1', 'c1', 1n), placed('o2', 'c2', 2n), placed('o2', 'c1', 3n), rename(2, 4n)]);
    expect(view.allNodes().map((node) => [node.key, node.properties.customerName])).toEqual([
      ['o1', 'Ada4'],
      ['o2', 'Ada4'],
    ]);
    // over the cap: a poison error naming the event, and nothing of the call applied
    const before = view.allNodes();
    let error: unknown;
    try {
      view.apply([placed('o3', 'c1', 5n), rename(2, 6n)]);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(FanOutCapError);
    expect((error as Error).message).toContain(
      'could not apply the event at position 6: updateNodes matches more than 2 Order nodes with customerId = "c1"',
    );
    expect(view.allNodes()).toEqual(before);
    expect(view.position).toBe(4n);
  });
});
