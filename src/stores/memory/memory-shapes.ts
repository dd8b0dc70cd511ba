/**
 * What the memory target knows about the shapes it holds. The memory store stands in for the others (in
 * tests, and as `verify`'s scratch view), so it checks a view the way the store that declared the shape
 * would: a relational shape by its columns, an index by its fields (both with that store's own checks),
 * a graph by its labels, relationship types and property types (as the Neo4j target does before it writes).
 */
import type { JsonValue } from '../../core/json';
import type { NodeRef, ViewDocument, ViewOperation } from '../../core/plan';
import type { TargetShape } from '../../core/view-shape';
import { isElasticsearchShape } from '../elasticsearch/elasticsearch-view-shape';
import { isNeo4jShape, type GraphPropertyType, type Neo4jTargetShape } from '../neo4j/neo4j-view-shape';
import { isRelationalShape } from '../relational/relational-view-shape';
import { elasticsearchChecks } from '../elasticsearch/elasticsearch.checks';
import { documentProblem as indexDocumentProblem } from '../elasticsearch/elasticsearch-shape';
import { neo4jChecks } from '../neo4j/neo4j.checks';
import { relationalChecks } from '../relational/relational.checks';
import { documentProblem as tableDocumentProblem } from '../relational/relational-shape';
import type { StoreChecks } from '../store-checks';
import { MemoryShapeMismatchError } from './memory.errors';

/** Graph shapes hold nodes and relationships; the others hold documents by key. */
export function isGraphShape(shape: TargetShape): shape is Neo4jTargetShape {
  return isNeo4jShape(shape);
}

/** The name readers use for a document view (its table or index), which no two projections may share. */
export function claimedViewName(shape: TargetShape): string | undefined {
  if (isRelationalShape(shape)) return `table ${shape.table}`;
  if (isElasticsearchShape(shape)) return `index ${shape.index}`;
  // Labels and types are kept per projection: two graph projections never share one.
  return undefined;
}

/** Why the document does not fit the view's shape (the declaring store's own check), or undefined. */
export function documentProblem(
  projection: string,
  shape: TargetShape,
  document: ViewDocument,
): string | undefined {
  if (isRelationalShape(shape)) return tableDocumentProblem(shape, document);
  if (isElasticsearchShape(shape)) return indexDocumentProblem(shape, document);
  if (isNeo4jShape(shape))
    return `projection "${projection}" has a graph view, which stores nodes and relationships, not documents`;
  throw new Error(`The memory store cannot hold a view of kind "${shape.kind}".`);
}

/** `plan` and `verify` compare a memory view as the store that declared its shape would (../store-checks.ts). */
export const memoryChecks: StoreChecks = {
  outline: (shape) => checksOf(shape).outline(shape),
  entryFields: (shape, key) => checksOf(shape).entryFields(shape, key),
  sampleShape: (current, next) =>
    current.kind === next.kind ? (checksOf(next).sampleShape?.(current, next) ?? next) : next,
};

function checksOf(shape: TargetShape): StoreChecks {
  if (isRelationalShape(shape)) return relationalChecks;
  if (isElasticsearchShape(shape)) return elasticsearchChecks;
  if (isNeo4jShape(shape)) return neo4jChecks;
  throw new Error(`The memory store cannot hold a view of kind "${shape.kind}".`);
}

/** Throws MemoryShapeMismatchError for the first operation the view's shape does not allow. */
export function checkOperations(
  projection: string,
  shape: TargetShape,
  operations: readonly ViewOperation[],
): void {
  for (const operation of operations) {
    const problem = isGraphShape(shape)
      ? graphOperationProblem(shape, operation)
      : operation.kind === 'put' || operation.kind === 'delete'
        ? undefined
        : `a graph ${operation.kind} operation (document views hold documents by key)`;
    if (problem !== undefined) throw new MemoryShapeMismatchError(projection, problem);
  }
}

function graphOperationProblem(shape: Neo4jTargetShape, operation: ViewOperation): string | undefined {
  switch (operation.kind) {
    case 'put':
    case 'delete':
      return `a document ${operation.kind} operation (graph views hold nodes and relationships)`;
    case 'mergeNode': {
      const problem = nodeProblem(shape, operation.node);
      if (problem !== undefined) return problem;
      const node = shape.nodes[operation.node.label]!;
      for (const [name, value] of Object.entries(operation.set)) {
        if (name === node.key) return `mergeNode ${operation.node.label} sets its key property "${name}"`;
        const type = node.properties[name];
        if (type === undefined) return `property "${name}" is not declared on node ${operation.node.label}`;
        const mismatch = valueProblem(name, type, value);
        if (mismatch !== undefined) return mismatch;
      }
      return undefined;
    }
    case 'deleteNode':
      return nodeProblem(shape, operation.node);
    case 'updateNodes': {
      const node = shape.nodes[operation.label];
      if (node === undefined) return `label "${operation.label}" is not declared`;
      if (!(node.indexes ?? []).includes(operation.property))
        return `property "${operation.property}" is not an index of node ${operation.label}`;
      const selected = valueProblem(
        operation.property,
        node.properties[operation.property]!,
        operation.value,
      );
      if (selected !== undefined) return selected;
      for (const [name, value] of Object.entries(operation.set)) {
        if (name === node.key) return `updateNodes ${operation.label} sets its key property "${name}"`;
        const type = node.properties[name];
        if (type === undefined) return `property "${name}" is not declared on node ${operation.label}`;
        const mismatch = valueProblem(name, type, value);
        if (mismatch !== undefined) return mismatch;
      }
      return undefined;
    }
    case 'mergeRelationship':
    case 'deleteRelationship': {
      const relationship = shape.relationships[operation.type];
      if (relationship === undefined) return `relationship type "${operation.type}" is not declared`;
      for (const [side, node, declared] of [
        ['from', operation.from, relationship.from],
        ['to', operation.to, relationship.to],
      ] as const) {
        if (node.label !== declared)
          return `relationship ${operation.type} goes ${side} ${declared}, not ${node.label}`;
        const problem = nodeProblem(shape, node);
        if (problem !== undefined) return problem;
      }
      if (operation.kind === 'deleteRelationship') return undefined;
      for (const [name, value] of Object.entries(operation.set)) {
        const type = relationship.properties[name];
        if (type === undefined) return `property "${name}" is not declared on relationship ${operation.type}`;
        const mismatch = valueProblem(name, type, value);
        if (mismatch !== undefined) return mismatch;
      }
      return undefined;
    }
  }
}

function nodeProblem(shape: Neo4jTargetShape, node: NodeRef): string | undefined {
  const declared = shape.nodes[node.label];
  if (declared === undefined) return `label "${node.label}" is not declared`;
  return valueProblem(declared.key, declared.properties[declared.key] ?? 'string', node.key);
}

/** The Neo4j target's property checks (src/stores/neo4j/graph-values.ts `propertyValue`); null removes. */
function valueProblem(name: string, type: GraphPropertyType, value: JsonValue): string | undefined {
  if (value === null) return undefined;
  const fits =
    type === 'integer'
      ? (typeof value === 'number' && Number.isSafeInteger(value)) ||
        (typeof value === 'string' && /^-?\d+$/.test(value))
      : type === 'float'
        ? typeof value === 'number'
        : type === 'boolean'
          ? typeof value === 'boolean'
          : type === 'string'
            ? typeof value === 'string' || typeof value === 'number'
            : typeof value === 'string' && !Number.isNaN(Date.parse(value));
  return fits ? undefined : `property "${name}" is declared ${type} but got ${JSON.stringify(value)}`;
}
