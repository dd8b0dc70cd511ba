/**
 * How big a definition may be. Every limit is checked at load with a `limit-exceeded` (or
 * `file-too-large`) error that names it, so a careless or hostile file is refused in linear time instead
 * of stalling `prism validate` or the server's start-up (issue #12, item 7). The numbers are documented in
 * src/dsl/README.md ("Limits"); CEL evaluation cost limits live with the expression engine, not here.
 */

/** Largest definition file, in bytes; checked before the file is decoded or parsed. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** YAML nesting (mappings and lists inside each other), e.g. a search template's depth. */
export const MAX_YAML_DEPTH = 64;
/**
 * Columns of indentation (spaces and compact `- ` markers) a line may start with: the YAML parser
 * recurses once per level, so block nesting is bounded before it runs (issue #12: a deep document
 * crashed the process with an out-of-memory error that nothing can catch).
 */
export const MAX_INDENT_COLUMNS = 256;
/** Aliases (`*name`) in one file, and the number of values the file holds once they are expanded. */
export const MAX_ALIASES = 100;
export const MAX_EXPANDED_NODES = 100_000;

// Limits of each store's target section live with the store (src/stores/<store>/dsl/).

export const SECTION_LIMITS = {
  /** Event types in source.events, and handlers (one per event type). */
  eventTypes: 200,
  handlers: 200,
  /** Actions in one handler. */
  actions: 100,
  /** Assignments in one action's set, increment or append. */
  assignments: 1000,
  queries: 100,
  parameters: 50,
} as const;

export const TEXT_LIMITS = {
  /**
   * Characters of one CEL expression, checked before it is parsed; the engine's own limits (1,000 syntax
   * nodes, depth 32) then apply to what parses.
   */
  expressionLength: 16_384,
  /** Unary operators in a row (`!!!!x`): the CEL parser recurses once per operator. */
  unaryRun: 64,
  /** Characters of any name (column, field, label, event type, ...). */
  nameLength: 128,
} as const;

/** A projection's name becomes part of store names (tables, labels), whose identifiers stop at 63 bytes. */
export const NAME_LENGTH_LIMITS = {
  projection: 63,
} as const;
