/**
 * The Target contract on the memory store, once per view family: as a relational table (with its unique
 * indexes), as a search index, and as a graph. No server needed.
 */
import {
  CONTRACT_GRAPH_SHAPE,
  CONTRACT_INDEX_SHAPE,
  targetContract,
} from '../../../test/contract/target.contract';
import type { TargetKind, TargetShape } from '../../core/view-shape';
import type { Target } from '../target.port';
import { memoryStore } from './memory.store';
import { MemoryTarget } from './memory.target';

const create = (kind: TargetKind) => () => Promise.resolve(new MemoryTarget(kind));
const readActive = (target: Target, shape: TargetShape) => (target as MemoryTarget).readActive(shape);

targetContract({
  name: 'memory (relational shape)',
  store: memoryStore,
  create: create('postgres'),
  readActive,
});
targetContract({
  name: 'memory (search index shape)',
  store: memoryStore,
  shape: CONTRACT_INDEX_SHAPE,
  create: create('elasticsearch'),
  readActive,
});
targetContract({
  name: 'memory (graph shape)',
  store: memoryStore,
  shape: CONTRACT_GRAPH_SHAPE,
  create: create('neo4j'),
});
