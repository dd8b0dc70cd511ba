/**
 * The memory store's `connection` section (../store-connection.ts). The memory store is never configured
 * from the environment: tests and checks make their own MemoryTarget, so a server does not open one and
 * its views never outlive a process. The section exists so the store module has the same parts as the
 * others; `open` still works (one target per opened store) for code that opens stores generically.
 */
import type { StoreConnection } from '../store-connection';
import { MemoryTarget } from './memory.target';

export const memoryConnection: StoreConnection<Record<string, never>, MemoryTarget> = {
  variables: {},
  configure: () => ({ problems: [] }),
  describe: () => 'in this process (nothing is kept)',
  missingHint: 'the memory store holds views only for tests and checks; declare another target kind',
  open: () => {
    const target = new MemoryTarget();
    return {
      client: target,
      connectTarget: () => Promise.resolve(target),
      probe: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
  },
};
