/**
 * The memory store module (see ../store-module.ts): views held in this process by MemoryTarget, for tests
 * and as `verify`'s scratch view. It holds a view of any declared shape (documents or a graph); for a
 * graph view `load` finds nothing, as graph plans read no state.
 */
import type { StoreModule } from '../store-module';
import { memoryConnection } from './memory.connection';
import { memoryChecks } from './memory-shapes';
import { MEMORY_CAPABILITIES } from './memory.target';

export const memoryStore = {
  kind: 'memory',
  title: 'in memory (tests and checks)',
  capabilities: MEMORY_CAPABILITIES,
  checks: memoryChecks,
  connection: memoryConnection,
} as const satisfies StoreModule;
