/**
 * The one Cypher tokenizer: the read-only check of named queries (cypher-read-only.ts) and the label
 * binder of the graph query API (src/stores/neo4j/query/cypher-label-binder.ts) both read a query through it, so
 * they agree on what is a string, a comment, a quoted name or a parameter (which are never keywords or
 * labels). Not a parser: just enough to find words in context.
 */

export interface CypherToken {
  readonly kind: 'word' | 'name' | 'parameter' | 'punct' | 'literal';
  /**
   * word, punct, literal: the source text. name (a backtick-quoted name): the name without backticks.
   * parameter: the parameter's name, without `$` (and without backticks).
   */
  readonly text: string;
  /** Offsets of the token in the query text, end exclusive. */
  readonly start: number;
  readonly end: number;
}

export interface CypherLexError {
  readonly offset: number;
  readonly message: string;
}

// Sticky patterns read at an offset without copying the rest of the text (slicing made tokenizing
// quadratic in the query's length, issue #12 item 7).
const PARAMETER_NAME = /[A-Za-z0-9_]*/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[0-9][0-9A-Za-z_.]*/y;

function stickyMatch(pattern: RegExp, text: string, offset: number): string {
  pattern.lastIndex = offset;
  return pattern.exec(text)?.[0] ?? '';
}

/** The tokens of `text`; on an unterminated string, comment or quoted name, those before it and the error. */
export function tokenizeCypher(text: string): { tokens: CypherToken[]; error?: CypherLexError } {
  const tokens: CypherToken[] = [];
  const failed = (offset: number, message: string) => ({ tokens, error: { offset, message } });
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (/\s/.test(char)) {
      i++;
    } else if (char === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end + 1;
    } else if (char === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return failed(i, 'unterminated /* comment');
      i = end + 2;
    } else if (char === "'" || char === '"') {
      const end = closingQuote(text, i);
      if (end < 0) return failed(i, `unterminated string starting with ${char}`);
      tokens.push({ kind: 'literal', text: text.slice(i, end + 1), start: i, end: end + 1 });
      i = end + 1;
    } else if (char === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) return failed(i, 'unterminated `quoted name`');
      tokens.push({ kind: 'name', text: text.slice(i + 1, end), start: i, end: end + 1 });
      i = end + 1;
    } else if (char === '$') {
      const start = i;
      i++;
      let name: string;
      if (text[i] === '`') {
        const end = text.indexOf('`', i + 1);
        if (end < 0) return failed(start, 'unterminated `quoted name`');
        name = text.slice(i + 1, end);
        i = end + 1;
      } else {
        name = stickyMatch(PARAMETER_NAME, text, i);
        i += name.length;
      }
      if (name === '') tokens.push({ kind: 'punct', text: '$', start, end: i });
      else tokens.push({ kind: 'parameter', text: name, start, end: i });
    } else if (/[A-Za-z_]/.test(char)) {
      const word = stickyMatch(WORD, text, i);
      tokens.push({ kind: 'word', text: word, start: i, end: i + word.length });
      i += word.length;
    } else if (/[0-9]/.test(char)) {
      const number = stickyMatch(NUMBER, text, i);
      tokens.push({ kind: 'literal', text: number, start: i, end: i + number.length });
      i += number.length;
    } else {
      tokens.push({ kind: 'punct', text: char, start: i, end: i + 1 });
      i++;
    }
  }
  return { tokens };
}

/** Index of the quote closing the string that starts at `start`, honouring backslash escapes; -1 if none. */
function closingQuote(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}
