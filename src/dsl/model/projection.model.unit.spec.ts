import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { orderSummary as builtOrderSummary } from '../../../test/dsl/builder-examples/order-summary.projection';
import { checkDefinitionSource } from '../loader/definition.loader';
import { codeLocator } from '../source/source-locator';
import { validateDefinition } from '../validation/definition.validator';
import { isExpression } from './expression';
import { writtenFormOf, type ProjectionModel } from './projection.model';

const PROJECTIONS = join(__dirname, '..', '..', '..', 'projections');
const modelOf = (file: string): ProjectionModel => {
  const check = checkDefinitionSource(readFileSync(join(PROJECTIONS, file), 'utf8'), file);
  expect(check.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  return check.checked!.definition;
};

/** Every object and array reachable from `value`, with its path; the insides of expressions if asked. */
function nodes(value: unknown, intoExpressions = true, path = '$'): [string, object][] {
  if (typeof value !== 'object' || value === null) return [];
  if (isExpression(value) && !intoExpressions) return [[path, value]];
  return [
    [path, value],
    ...Object.entries(value).flatMap(([key, item]) => nodes(item, intoExpressions, `${path}.${key}`)),
  ];
}

describe('projection model', () => {
  const documentModel = modelOf('order-summary.yaml');
  const graphModel = modelOf('purchase-graph.yaml');

  it('tags every action by kind instead of keying it by its kind', () => {
    expect(documentModel.handlers.ItemAdded).toEqual([
      {
        kind: 'update',
        key: expect.objectContaining({ source: 'event.data.orderId' }),
        ifMissing: 'ignore',
        increment: {
          item_count: expect.objectContaining({ source: 'event.data.qty' }),
          total: expect.objectContaining({ source: 'event.data.qty * event.data.price' }),
        },
      },
    ]);
    const kinds = Object.values(graphModel.handlers).flatMap((actions) =>
      actions.map((action) => action.kind),
    );
    expect(new Set(kinds)).toEqual(new Set(['mergeNode', 'mergeRelationship', 'deleteNode']));
  });

  it('is frozen all the way down', () => {
    for (const model of [documentModel, graphModel]) {
      for (const [path, node] of nodes(model)) expect([path, Object.isFrozen(node)]).toEqual([path, true]);
    }
    expect(() => {
      (documentModel as { version: number }).version = 2;
    }).toThrow(TypeError);
  });

  it('places every expression at the path and file position where it was written', () => {
    const relationship = graphModel.handlers.OrderPlaced![1]!;
    if (relationship.kind !== 'mergeRelationship') throw new Error('expected mergeRelationship');
    expect(relationship.from.key.path).toEqual([
      'handlers',
      'OrderPlaced',
      1,
      'mergeRelationship',
      'from',
      'key',
    ]);
    expect(relationship.from.key.position).toEqual({ line: 40, column: 39 });
    // built in TypeScript: placed, without a file position
    const built = builtOrderSummary.build().definition.handlers.OrderPlaced![0]!;
    if (built.kind !== 'upsert') throw new Error('expected upsert');
    expect(built.key.path).toEqual(['handlers', 'OrderPlaced', 0, 'upsert', 'key']);
    expect(built.key.position).toBeUndefined();
  });

  it('holds every expression as an Expression node, never as a bare string', () => {
    const expressions = nodes(documentModel).filter(([, node]) => isExpression(node));
    expect(expressions.length).toBe(12);
    for (const [, node] of nodes(documentModel.handlers, false)) {
      if (isExpression(node)) continue;
      for (const [key, item] of Object.entries(node)) {
        if (key !== 'kind' && key !== 'ifMissing') expect([key, typeof item]).not.toEqual([key, 'string']);
      }
    }
  });

  it('gives back its written form, which validates to the same model', () => {
    const written = JSON.parse(JSON.stringify(writtenFormOf(graphModel))) as Record<string, unknown>;
    expect((written.handlers as Record<string, unknown[]>).ItemAdded).toEqual([
      {
        mergeRelationship: {
          type: 'CONTAINS',
          from: { key: 'event.data.orderId' },
          to: { key: 'event.data.productId' },
          set: { qty: 'event.data.qty' },
        },
      },
    ]);
    const again = validateDefinition(written, codeLocator('<stored>')).checked!.definition;
    expect(JSON.stringify(writtenFormOf(again))).toBe(JSON.stringify(writtenFormOf(graphModel)));
  });
});
