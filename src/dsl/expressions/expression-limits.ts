/**
 * The load-time limits of one expression (issue #12), checked when the definition loads so a definition
 * that would be too costly never starts: the size and depth of its syntax tree (enforced by the CEL
 * parser), how deeply comprehensions (`map`, `filter`, `all`, `exists`, `exists_one`) nest, and whether
 * every literal `matches()` pattern is valid RE2. The run-time budget is evaluation-budget.ts. The numbers
 * and why: "Limits" in src/dsl/README.md.
 */

export const EXPRESSION_LIMITS = {
  /** Nodes of the parsed expression (every literal, name, field access, operator and call). */
  maxAstNodes: 1000,
  /** Nesting of the parsed expression: parentheses, calls, operands, field accesses (`a.b.c` is 3). */
  maxDepth: 32,
  /** Comprehensions inside comprehensions: `a.map(x, x.b.filter(y, ...))` nests 2. */
  maxComprehensionNesting: 2,
} as const;

/** The parser's limits option (@marcbachmann/cel-js `limits`). */
export const PARSER_LIMITS = {
  maxAstNodes: EXPRESSION_LIMITS.maxAstNodes,
  maxDepth: EXPRESSION_LIMITS.maxDepth,
} as const;

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** The parts of the engine's AST this walk reads (@marcbachmann/cel-js 8 `ASTNode`). */
interface AstNode {
  readonly op: string;
  readonly args: unknown;
  readonly start: number;
  readonly end: number;
}

export interface LimitFinding {
  readonly offset: number;
  readonly message: string;
  readonly suggestion?: string;
}

/** What the static walk found: literal `matches()` patterns to check, and limits exceeded. */
export interface ExpressionShape {
  readonly patterns: readonly { readonly pattern: string; readonly offset: number }[];
  readonly exceeded: readonly LimitFinding[];
}

/** Walk a parsed (and type-checked) expression. */
export function analyzeExpression(root: unknown, source: string): ExpressionShape {
  const patterns: { pattern: string; offset: number }[] = [];
  const exceeded: LimitFinding[] = [];
  const visit = (value: unknown, nesting: number): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, nesting);
      return;
    }
    if (!isNode(value) || value.op === 'value' || value.op === 'id') return;
    if (value.op === 'rcall' && Array.isArray(value.args)) {
      const [name, receiver, args] = value.args as [string, unknown, unknown[]];
      visit(receiver, nesting);
      if (COMPREHENSIONS.has(name) && (args.length === 2 || args.length === 3)) {
        // The receiver runs once; the predicate and transform run once per element, inside this loop.
        const inner = nesting + 1;
        if (inner > EXPRESSION_LIMITS.maxComprehensionNesting) {
          exceeded.push(nestingFinding(source, value, receiver, name, inner));
          return;
        }
        visit(args, inner);
        return;
      }
      const pattern = args[0];
      if (name === 'matches' && args.length === 1 && isNode(pattern) && pattern.op === 'value') {
        if (typeof pattern.args === 'string') patterns.push({ pattern: pattern.args, offset: pattern.start });
      }
      visit(args, nesting);
      return;
    }
    if (value.op === 'call' && Array.isArray(value.args)) {
      // The global form matches(text, pattern)
      const [name, args] = value.args as [string, unknown[]];
      const pattern = args[1];
      if (name === 'matches' && args.length === 2 && isNode(pattern) && pattern.op === 'value') {
        if (typeof pattern.args === 'string') patterns.push({ pattern: pattern.args, offset: pattern.start });
      }
    }
    visit(value.args, nesting);
  };
  visit(root, 0);
  return { patterns, exceeded };
}

/** A limit of the parser was hit (`Exceeded maxDepth (32)`): what it means for the author. */
export function parserLimitFinding(summary: string): Omit<LimitFinding, 'offset'> {
  const limit = /Exceeded (\w+) \((\d+)\)/.exec(summary);
  const suggestion = 'split it into several simpler expressions; src/dsl/README.md lists the limits';
  switch (limit?.[1]) {
    case 'maxAstNodes':
      return { message: `the expression is too large: more than ${limit[2]} syntax nodes`, suggestion };
    case 'maxDepth':
      return { message: `the expression nests too deeply: more than ${limit[2]} levels`, suggestion };
    case 'maxListElements':
    case 'maxMapEntries':
    case 'maxCallArguments':
      return { message: `the expression exceeds ${limit[1]} (${limit[2]})`, suggestion };
    default:
      return { message: summary.charAt(0).toLowerCase() + summary.slice(1), suggestion };
  }
}

function nestingFinding(
  source: string,
  node: AstNode,
  receiver: unknown,
  name: string,
  nesting: number,
): LimitFinding {
  const after = isNode(receiver) ? receiver.end : node.start;
  const at = source.indexOf(name, after);
  return {
    offset: at >= 0 ? at : node.start,
    message:
      `${name}() is comprehension number ${nesting} nested inside one another; at most ` +
      `${EXPRESSION_LIMITS.maxComprehensionNesting} may nest, since each level multiplies the work by the size of a list`,
    suggestion: 'flatten the data in the event, or split the work over several fields',
  };
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as { op?: unknown }).op === 'string';
}
