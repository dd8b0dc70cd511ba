/**
 * Parses a YAML definition while keeping every node's source range, so errors found later (by zod, the
 * semantic validator or the CEL checker) can be mapped from a field path to file:line:column.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node as YamlNode,
  type Pair,
  Scalar,
  type YAMLMap,
} from 'yaml';
import type { DefinitionError } from '../errors/definition-error';
import { type PathSegment, type SourceLocator, type SourcePosition } from './source-locator';
import { documentProblems, nestingBeforeParse, type YamlGuardProblem } from './yaml-guards';

export interface ParsedYaml {
  /** The plain JS value (undefined when the YAML could not be trusted, see `errors`). */
  readonly value: unknown;
  readonly locator: SourceLocator;
  /** YAML syntax problems; when any is fatal, `value` is undefined and nothing else should be checked. */
  readonly errors: readonly DefinitionError[];
}

/**
 * After most syntax errors the parser's recovered tree is a guess, and errors about a guess mislead, so only
 * the syntax errors are reported. A duplicate key leaves a sound tree (the last value wins), so checking
 * goes on and all errors of the file are reported together.
 */
export function parseYamlSource(text: string, file: string): ParsedYaml {
  const early = nestingBeforeParse(text);
  if (early) {
    const locator = new OffsetOnlyLocator(file, text);
    return { value: undefined, locator, errors: [locator.problem(early)] };
  }
  const lineCounter = new LineCounter();
  // uniqueKeys: false because the package's duplicate-key check is quadratic in a mapping's size (issue
  // #12: 32k columns took 30 s); documentProblems checks duplicates in linear time instead.
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    keepSourceTokens: false,
    uniqueKeys: false,
  });
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const errors: DefinitionError[] = document.errors.map((error) => {
    const opening = unclosedQuote(text, error.code, error.message, error.pos[0]);
    const at = position(opening ?? firstWritten(text, error.pos[0]));
    return {
      code: 'yaml-syntax',
      severity: 'error',
      file,
      line: at.line,
      column: at.column,
      path: '',
      message:
        opening === undefined
          ? yamlMessage(error.code, error.message)
          : 'invalid YAML: this quoted string is never closed (it runs to the end of the file)',
    } satisfies DefinitionError;
  });
  const locator = new YamlSourceLocator(file, text, document, position);
  if (errors.length > 0) return { value: undefined, locator, errors };
  const guarded = documentProblems(document);
  for (const problem of guarded.problems) {
    const at = position(problem.offset);
    errors.push({
      code: problem.code,
      severity: 'error',
      file,
      line: at.line,
      column: at.column,
      path: '',
      message: problem.message,
      ...(problem.suggestion === undefined ? {} : { suggestion: problem.suggestion }),
    });
  }
  if (guarded.fatal) return { value: undefined, locator, errors };
  try {
    // Aliases were counted and their expansion bounded above; the package's own heuristic is not needed.
    return { value: document.toJS({ maxAliasCount: -1 }) as unknown, locator, errors };
  } catch (error) {
    // Never a stack trace for a definition (issue #12): whatever the package still refuses is an error here.
    const message = error instanceof Error ? error.message : String(error);
    return {
      value: undefined,
      locator,
      errors: [
        ...errors,
        {
          code: 'yaml-syntax',
          severity: 'error',
          file,
          line: 1,
          column: 1,
          path: '',
          message: `invalid YAML: ${message}`,
        },
      ],
    };
  }
}

/** Indentation errors point at a line's start; the written text after the indentation reads better. */
function firstWritten(text: string, offset: number): number {
  let i = offset;
  while (text[i] === ' ') i++;
  return text[i] === undefined || text[i] === '\n' ? offset : i;
}

/**
 * The parser notices a missing closing quote only at the end of the file; the useful position is the
 * opening quote. Since the open string swallowed everything after it, that is the last unescaped quote
 * character before the error.
 */
function unclosedQuote(text: string, code: string, message: string, offset: number): number | undefined {
  if (code !== 'MISSING_CHAR' || !/quote/i.test(message)) return undefined;
  const quote = message.includes('"') ? '"' : "'";
  for (let i = Math.min(offset, text.length) - 1; i >= 0; i--) {
    if (text[i] === quote && text[i - 1] !== '\\') return i;
  }
  return undefined;
}

function yamlMessage(code: string, message: string): string {
  const firstLine = message.split('\n')[0] ?? message;
  const lower = firstLine.charAt(0).toLowerCase() + firstLine.slice(1);
  if (code === 'DUPLICATE_KEY') return 'the same key is written twice in one mapping (YAML keeps the last)';
  if (code === 'MULTIPLE_DOCS')
    return 'invalid YAML: a definition file holds one document, but "---" starts a second one here';
  return `invalid YAML: ${lower}`;
}

class YamlSourceLocator implements SourceLocator {
  constructor(
    readonly file: string,
    private readonly text: string,
    private readonly document: Document,
    private readonly position: (offset: number) => SourcePosition,
  ) {}

  has(path: readonly PathSegment[]): boolean {
    return this.walk(path).complete;
  }

  valueAt(path: readonly PathSegment[]): SourcePosition {
    const { node, pair } = this.walk(path);
    const range = node?.range ?? (isScalar(pair?.key) ? pair.key.range : undefined);
    // an empty document has no node at all: its problems are at the start of the file
    return range ? this.position(range[0]) : { line: 1, column: 1 };
  }

  keyAt(path: readonly PathSegment[]): SourcePosition {
    const { pair, complete } = this.walk(path);
    if (complete && pair && isScalar(pair.key) && pair.key.range) return this.position(pair.key.range[0]);
    return this.valueAt(path);
  }

  insideValue(path: readonly PathSegment[], offset: number): SourcePosition {
    const { node, complete } = this.walk(path);
    if (!complete || !isScalar(node) || !node.range) return this.valueAt(path);
    if (typeof node.value !== 'string') return this.position(node.range[0]);
    // "ends too early" errors point past the end: show them right after the last written character
    const written = node.value.trimEnd().length;
    if (offset >= written && written > 0)
      return this.position(sourceOffsetOf(this.text, node, written - 1) + 1);
    return this.position(sourceOffsetOf(this.text, node, offset));
  }

  /** Map entries by key, built once per mapping: looking errors up stays linear in the file's size. */
  private readonly pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

  private pairOf(map: YAMLMap, key: string): Pair | undefined {
    let index = this.pairIndex.get(map);
    if (!index) {
      index = new Map();
      for (const item of map.items) {
        const text = isPair(item) ? keyText(item.key) : undefined;
        // the first entry, as before; a duplicate key is reported on its own
        if (text !== undefined && !index.has(text)) index.set(text, item);
      }
      this.pairIndex.set(map, index);
    }
    return index.get(key);
  }

  /** Follows `path` from the root; stops at the deepest node that exists. */
  private walk(path: readonly PathSegment[]): { node?: YamlNode; pair?: Pair; complete: boolean } {
    let node: unknown = this.document.contents;
    let pair: Pair | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const found = this.pairOf(node, String(segment));
        if (!found) return { node: node, pair, complete: false };
        pair = found;
        if (found.value === null || found.value === undefined)
          return { node: undefined, pair, complete: true };
        node = found.value;
      } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
        pair = undefined;
        node = node.items[segment];
      } else {
        return { node: node as YamlNode | undefined, pair, complete: false };
      }
    }
    return { node: node as YamlNode | undefined, pair, complete: true };
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

/**
 * Where the `offset`-th character of a string scalar's value sits in the source. The value is a subsequence
 * of the source text apart from quotes, escapes, indentation and line folding, so characters are aligned
 * greedily: a space or line break of the value matches the next whitespace of the source (folding turns a
 * line break into a space), any other character skips ahead to its next occurrence.
 */
function sourceOffsetOf(text: string, node: Scalar, offset: number): number {
  const [start, end] = node.range!;
  const value = node.value as string;
  let cursor = start;
  if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) cursor = start + 1;
  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
    const headerEnd = text.indexOf('\n', start);
    cursor = headerEnd < 0 ? start : headerEnd + 1;
  }
  const matches = (wanted: string, found: string): boolean =>
    wanted === found || ((wanted === ' ' || wanted === '\n') && /\s/.test(found));
  for (let i = 0; i <= Math.min(offset, value.length - 1); i++) {
    const wanted = value[i]!;
    while (cursor < end && !matches(wanted, text[cursor]!)) cursor++;
    if (cursor >= end) return start;
    if (i === offset) return cursor;
    cursor++;
  }
  // the offset is past the last character (e.g. "unexpected end of input")
  return Math.min(cursor, end);
}

/**
 * For text refused before it was parsed: every path is the start of the file, and the one problem found
 * while lexing gets its line and column from its offset.
 */
class OffsetOnlyLocator implements SourceLocator {
  constructor(
    readonly file: string,
    private readonly text: string,
  ) {}

  problem(found: YamlGuardProblem): DefinitionError {
    let line = 1;
    let lineStart = 0;
    for (let i = this.text.indexOf('\n'); i >= 0 && i < found.offset; i = this.text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return {
      code: found.code,
      severity: 'error',
      file: this.file,
      line,
      column: found.offset - lineStart + 1,
      path: '',
      message: found.message,
      ...(found.suggestion === undefined ? {} : { suggestion: found.suggestion }),
    };
  }

  valueAt(): SourcePosition {
    return { line: 1, column: 1 };
  }
  keyAt(): SourcePosition {
    return { line: 1, column: 1 };
  }
  insideValue(): SourcePosition {
    return { line: 1, column: 1 };
  }
  has(): boolean {
    return false;
  }
}
