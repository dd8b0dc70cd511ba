/**
 * Colours a YAML definition for reading: comments, keys, strings, numbers and literals. A line-based
 * tokenizer (definitions are plain block YAML); whatever it does not recognise stays plain text. The
 * tokens are rendered with textContent, so their text is never interpreted as markup.
 */

export type TokenKind = 'comment' | 'key' | 'string' | 'number' | 'literal' | 'punct' | 'text';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
}

const KEY = /^(\s*(?:-\s+)*)([A-Za-z_$][\w$.-]*|"[^"]*"|'[^']*')(\s*:)(?=\s|$)/;

/** The tokens of `source`; their texts joined give back `source` exactly. */
export function highlightYaml(source: string): Token[] {
  const tokens: Token[] = [];
  const lines = source.split('\n');
  lines.forEach((line, index) => {
    tokenizeLine(line, tokens);
    if (index < lines.length - 1) tokens.push({ kind: 'text', text: '\n' });
  });
  return merge(tokens);
}

function tokenizeLine(line: string, tokens: Token[]): void {
  const key = KEY.exec(line);
  let rest = line;
  if (key !== null) {
    tokens.push({ kind: 'punct', text: key[1]! });
    tokens.push({ kind: 'key', text: key[2]! });
    tokens.push({ kind: 'punct', text: key[3]! });
    rest = line.slice(key[0].length);
  } else {
    const dash = /^(\s*-\s+)/.exec(line);
    if (dash !== null) {
      tokens.push({ kind: 'punct', text: dash[1]! });
      rest = line.slice(dash[1]!.length);
    }
  }
  value(rest, tokens);
}

function value(text: string, tokens: Token[]): void {
  const comment = commentStart(text);
  const body = comment === -1 ? text : text.slice(0, comment);
  const trimmed = body.trim();
  const lead = body.slice(0, body.length - body.trimStart().length);
  const trail = body.slice(lead.length + trimmed.length);
  if (trimmed !== '') {
    tokens.push({ kind: 'text', text: lead });
    tokens.push({ kind: scalarKind(trimmed), text: trimmed });
    tokens.push({ kind: 'text', text: trail });
  } else {
    tokens.push({ kind: 'text', text: body });
  }
  if (comment !== -1) tokens.push({ kind: 'comment', text: text.slice(comment) });
}

/** Where a `#` comment starts (at the start or after a space, outside quotes), or -1. */
function commentStart(text: string): number {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      return i;
    }
  }
  return -1;
}

function scalarKind(text: string): TokenKind {
  if (/^(["']).*\1$/.test(text)) return 'string';
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return 'number';
  if (/^(true|false|null|~)$/.test(text)) return 'literal';
  if (/^[[{|>]/.test(text)) return 'text';
  return 'string';
}

/** Drops empty tokens and joins neighbours of one kind. */
function merge(tokens: readonly Token[]): Token[] {
  const merged: Token[] = [];
  for (const token of tokens) {
    if (token.text === '') continue;
    const last = merged[merged.length - 1];
    if (last !== undefined && last.kind === token.kind)
      merged[merged.length - 1] = { kind: last.kind, text: last.text + token.text };
    else merged.push(token);
  }
  return merged;
}
