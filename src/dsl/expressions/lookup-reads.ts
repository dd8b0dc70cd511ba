/**
 * Where an expression reads a lookup (issue #16 correlation state). A lookup is read one entry at a time,
 * `lookup.<name>[key]` or `key in lookup.<name>`, and the key reads only `event`: so the runner can compute
 * every entry an event reads before it loads anything, and load them for a whole batch at once. Found by a
 * walk of the engine's parsed syntax tree (the same one expression-limits.ts walks).
 */

/** The parts of @marcbachmann/cel-js 8's AST node this walk reads. */
interface AstNode {
  readonly op: string;
  readonly args: unknown;
  readonly start: number;
  readonly end: number;
}

/** One read: the lookup, and its key as a sub-expression of the source. */
export interface LookupRead {
  readonly lookup: string;
  /** Source text of the key expression. */
  readonly key: string;
  /** Offset of `lookup` in the source (for errors). */
  readonly offset: number;
  /** Offset of the key in the source. */
  readonly keyOffset: number;
}

export interface LookupFinding {
  readonly offset: number;
  readonly message: string;
  readonly lookup?: string;
}

export interface LookupReads {
  readonly reads: readonly LookupRead[];
  /** Lookups used other than one entry at a time, or keys that read more than `event`. */
  readonly misuses: readonly LookupFinding[];
}

export const LOOKUP_VARIABLE = 'lookup';

const isNode = (value: unknown): value is AstNode =>
  typeof value === 'object' && value !== null && typeof (value as AstNode).op === 'string';

/** `lookup.<name>`: the name, else undefined. */
function lookupSelected(node: unknown): string | undefined {
  if (!isNode(node) || node.op !== '.' || !Array.isArray(node.args)) return undefined;
  const [target, name] = node.args as [unknown, unknown];
  return isNode(target) && target.op === 'id' && target.args === LOOKUP_VARIABLE && typeof name === 'string'
    ? name
    : undefined;
}

/** The variables (`id` nodes) a subtree reads. */
function variablesOf(root: unknown): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) visit(item);
    else if (isNode(value)) {
      if (value.op === 'id' && typeof value.args === 'string') names.add(value.args);
      else if (value.op !== 'value') visit(value.args);
    }
  };
  visit(root);
  return names;
}

export function findLookupReads(root: unknown, source: string): LookupReads {
  const reads: LookupRead[] = [];
  const misuses: LookupFinding[] = [];
  const read = (name: string, at: AstNode, key: AstNode): void => {
    const variables = variablesOf(key);
    variables.delete('event');
    if (variables.size > 0) {
      misuses.push({
        offset: key.start,
        lookup: name,
        message: `the key of lookup.${name} may read only \`event\`, not ${[...variables].join(', ')} (the runner computes every key before it loads anything)`,
      });
      return;
    }
    reads.push({
      lookup: name,
      key: source.slice(key.start, key.end),
      offset: at.start,
      keyOffset: key.start,
    });
  };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isNode(value) || value.op === 'value') return;
    if (value.op === 'id') {
      if (value.args === LOOKUP_VARIABLE) {
        misuses.push({
          offset: value.start,
          message: 'a lookup is read one entry at a time: lookup.<name>[key] or key in lookup.<name>',
        });
      }
      return;
    }
    const args = value.args as unknown[];
    if (value.op === '[]' && Array.isArray(args)) {
      const name = lookupSelected(args[0]);
      if (name !== undefined && isNode(args[1])) {
        read(name, args[0] as AstNode, args[1]);
        visit(args[1]);
        return;
      }
    }
    if (value.op === 'in' && Array.isArray(args)) {
      const name = lookupSelected(args[1]);
      if (name !== undefined && isNode(args[0])) {
        read(name, args[1] as AstNode, args[0]);
        visit(args[0]);
        return;
      }
    }
    if (lookupSelected(value) !== undefined) {
      misuses.push({
        offset: value.start,
        lookup: lookupSelected(value),
        message: `lookup.${lookupSelected(value)} is read one entry at a time: lookup.${lookupSelected(value)}[key] or key in lookup.${lookupSelected(value)}`,
      });
      return;
    }
    visit(value.args);
  };
  visit(root);
  return { reads, misuses };
}
