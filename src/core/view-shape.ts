/**
 * The declared shape of a projection's target view: what the DSL validates and every target builds from.
 * The core knows only what every shape has: the `kind` of the store module that owns it (the registry in
 * src/stores/registry.ts finds that module by kind or alias). Each store declares its own shape beside
 * its target (src/stores/<store>/<store>-view-shape.ts), produced by its DSL section (`StoreDsl.shapeOf`).
 *
 * Shapes are stored with every view generation, so a shape's `kind` is persisted data: a store renames it
 * only together with a bookkeeping migration.
 */
export interface TargetShape {
  readonly kind: string;
}

/** The kind of a target: a registered store module's kind or one of its aliases. */
export type TargetKind = string;

/**
 * How a view holds its data, as the DSL and the runtime see it: documents under a key (read, changed and
 * written whole), or a graph of nodes and relationships (written by merges).
 */
export type ViewFamily = 'document' | 'graph';
