/**
 * YAML resource attacks, refused before they cost anything (issue #12, items 2 and 7):
 *
 * - before composing: flow collections nested deeper than MAX_YAML_DEPTH (`[[[[...`) and lines indented
 *   past MAX_INDENT_COLUMNS (block nesting, `- - - - ...`), read from the linear, non-recursive lexer;
 *   the `yaml` composer recurses once per level, and a deep document killed the process with an
 *   out-of-memory error that no `catch` sees;
 * - after composing, before converting to JS values: nesting deeper than MAX_YAML_DEPTH, duplicate keys
 *   (checked here in linear time; the `yaml` package's own check is quadratic in a mapping's size), more
 *   than MAX_ALIASES aliases, aliases without an anchor, and aliases that expand to more than
 *   MAX_EXPANDED_NODES values ("billion laughs": every consumer of the value, from zod to the
 *   fingerprint, walks the expanded tree).
 */
import {
  CST,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  Lexer,
  type Alias,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import {
  MAX_ALIASES,
  MAX_EXPANDED_NODES,
  MAX_INDENT_COLUMNS,
  MAX_YAML_DEPTH,
} from '../model/definition-limits';

export interface YamlGuardProblem {
  readonly code: 'yaml-too-deep' | 'yaml-alias' | 'yaml-syntax';
  readonly offset: number;
  readonly message: string;
  readonly suggestion?: string;
}

/** Lexer tokens that are markers, not source text (see the `yaml` parser's offset bookkeeping). */
const SCALAR_MARKER = '\x1f';
const MARKERS = new Set(['\x02', '\x18', SCALAR_MARKER]);

/** The first nesting problem found by the lexer alone, or undefined when the text may be composed. */
export function nestingBeforeParse(text: string): YamlGuardProblem | undefined {
  let offset = 0;
  let flowDepth = 0;
  let indent = 0;
  let atLineStart = true;
  let scalarNext = false;
  for (const token of new Lexer().lex(text)) {
    if (MARKERS.has(token)) {
      scalarNext = token === SCALAR_MARKER;
      continue;
    }
    // a scalar's source (a block scalar's lines with their indentation included) follows its marker
    const type = scalarNext ? 'scalar' : CST.tokenType(token);
    scalarNext = false;
    if (token === '[' || token === '{') {
      flowDepth++;
      if (flowDepth > MAX_YAML_DEPTH) return tooDeep(offset);
    } else if (token === ']' || token === '}') {
      flowDepth = Math.max(0, flowDepth - 1);
    }
    if (type === 'newline') {
      atLineStart = true;
      indent = 0;
    } else if (
      atLineStart &&
      (type === 'space' || type === 'seq-item-ind' || type === 'explicit-key-ind' || type === 'map-value-ind')
    ) {
      indent += token.length;
      if (indent > MAX_INDENT_COLUMNS) {
        return {
          code: 'yaml-too-deep',
          offset,
          message: `this line is indented by more than ${MAX_INDENT_COLUMNS} columns (nesting markers included); a definition may nest at most ${MAX_YAML_DEPTH} levels`,
          suggestion: 'flatten the structure',
        };
      }
    } else if (type !== 'space') {
      atLineStart = false;
    }
    offset += token.length;
  }
  return undefined;
}

function tooDeep(offset: number): YamlGuardProblem {
  return {
    code: 'yaml-too-deep',
    offset,
    message: `values are nested more than ${MAX_YAML_DEPTH} levels deep; a definition may nest at most ${MAX_YAML_DEPTH}`,
    suggestion: 'flatten the structure',
  };
}

/**
 * Depth, duplicate keys and aliases of a composed document, in one linear walk. Problems that make the JS
 * value unsafe to build (depth, aliases) are `fatal`.
 */
export function documentProblems(document: Document): { problems: YamlGuardProblem[]; fatal: boolean } {
  const problems: YamlGuardProblem[] = [];
  const aliases: Alias[] = [];
  /** Expanded size of each anchored node, in document order (an alias sees the last anchor before it). */
  const anchors = new Map<string, number>();
  let fatal = false;

  /**
   * Number of values in `node` with its aliases expanded, and without (what is written). Only what
   * aliases add is limited: a large file written out in full is bounded by the file size limit.
   */
  const walk = (node: unknown, depth: number): { expanded: number; written: number } => {
    const none = { expanded: 0, written: 0 };
    if (fatal) return none;
    if (depth > MAX_YAML_DEPTH) {
      problems.push(tooDeep(rangeStart(node)));
      fatal = true;
      return none;
    }
    let expanded = 1;
    let written = 1;
    if (isAlias(node)) {
      aliases.push(node);
      const size = anchors.get(node.source);
      if (size === undefined) {
        problems.push({
          code: 'yaml-alias',
          offset: rangeStart(node),
          message: `alias *${node.source} has no anchor &${node.source} before it`,
          suggestion: `define &${node.source} earlier in the file, or write the value here`,
        });
        fatal = true;
        return none;
      }
      if (aliases.length > MAX_ALIASES) {
        problems.push({
          code: 'yaml-alias',
          offset: rangeStart(node),
          message: `more than ${MAX_ALIASES} aliases in one file; a definition may use at most ${MAX_ALIASES}`,
        });
        fatal = true;
        return none;
      }
      expanded = size;
    } else if (isCollection(node)) {
      const seen = isMap(node) ? new Set<string>() : undefined;
      for (const item of node.items) {
        const parts = isPair(item) ? [item.key, item.value] : [item];
        if (seen && isPair(item) && isScalar(item.key)) {
          const id = `${typeof item.key.value}:${String(item.key.value)}`;
          if (seen.has(id)) {
            problems.push({
              code: 'yaml-syntax',
              offset: rangeStart(item.key),
              message: 'the same key is written twice in one mapping (YAML keeps the last)',
            });
          }
          seen.add(id);
        }
        for (const part of parts) {
          const sizes = walk(part, depth + 1);
          expanded += sizes.expanded;
          written += sizes.written;
        }
      }
    }
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor !== undefined && !isAlias(node)) anchors.set(anchor, expanded);
    if (expanded - written > MAX_EXPANDED_NODES && !fatal) {
      problems.push({
        code: 'yaml-alias',
        offset: rangeStart(node),
        message: `aliases expand this value by more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')} values (an "alias bomb")`,
        suggestion: 'write the values out, or use fewer aliases',
      });
      fatal = true;
    }
    return { expanded, written };
  };

  walk(document.contents, 1);
  return { problems, fatal };
}

function rangeStart(node: unknown): number {
  return (node as YamlNode | null)?.range?.[0] ?? 0;
}
