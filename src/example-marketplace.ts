/**
 * The example marketplace (examples/marketplace), which the ready-made server serves and the repository's
 * `prism validate` knows the event types of, until PrismModule (src/nest) owns the app's wiring.
 *
 * Loaded at run time rather than imported: src/ compiles to dist/ on its own and holds no example domain
 * (the package ships without it). From sources (ts-jest, tsx) it is examples/marketplace; from dist/ it is
 * the bundle `npm run build` writes to dist-examples/, which reads the platform as `@prism/platform`
 * (package.json `exports`), i.e. this very dist/. This file sits at the root of src/ so that both are
 * one folder up from it.
 */
import path from 'node:path';
import type { Aggregate } from './aggregates/aggregate.types';

/** Thrown when the example is not there (an installed package, or `npm run build` not run). */
export class ExampleNotBuiltError extends Error {
  override readonly name = 'ExampleNotBuiltError';
}

export function exampleMarketplace(): readonly Aggregate[] {
  const compiled = path.extname(__filename) === '.js';
  const location = path.join(__dirname, '..', compiled ? 'dist-examples' : 'examples', 'marketplace');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path only known at run time
    return (require(location) as { marketplaceAggregates: readonly Aggregate[] }).marketplaceAggregates;
  } catch (error) {
    // Only the example itself missing; a module missing inside it is its own error.
    const missing = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND';
    if (!missing || !String((error as Error).message).includes(location)) throw error;
    throw new ExampleNotBuiltError(
      `the example marketplace is not at ${path.relative(process.cwd(), location) || location}; ` +
        'run `npm run build` (it bundles examples/ into dist-examples/)',
      { cause: error },
    );
  }
}

/** The event types the example marketplace writes, or undefined where it is not there. */
export function exampleMarketplaceEventTypes(): ReadonlySet<string> | undefined {
  try {
    return new Set(exampleMarketplace().flatMap((aggregate) => [...aggregate.decider.eventTypes]));
  } catch (error) {
    if (error instanceof ExampleNotBuiltError) return undefined;
    throw error;
  }
}
