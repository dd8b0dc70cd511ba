/**
 * Named graph queries run on the read path, so they must not write. The text is tokenized (strings,
 * comments and backtick-quoted names are skipped, so `WHERE p.title = 'CREATE'` or a label `:Set` is fine);
 * every query part must start with a read clause (an allow-list), and every clause that writes or
 * administers is reported with its offset.
 */
import { tokenizeCypher, type CypherToken } from '../cypher-lexer';

export interface CypherFinding {
  readonly kind: 'write-clause' | 'syntax';
  readonly offset: number;
  readonly message: string;
}

export interface CypherAnalysis {
  readonly findings: readonly CypherFinding[];
  /** `$name` parameters in order of first use, with the offset of that use. */
  readonly parameters: ReadonlyMap<string, number>;
}

/** Clauses that write data or schema, or administer the database. */
const WRITE_KEYWORDS = new Map<string, string>([
  ['CREATE', 'CREATE writes nodes, relationships or schema'],
  ['INSERT', 'INSERT writes nodes and relationships'],
  ['MERGE', 'MERGE may create nodes and relationships'],
  ['SET', 'SET writes properties or labels'],
  ['DELETE', 'DELETE removes nodes and relationships'],
  ['DETACH', 'DETACH DELETE removes nodes and their relationships'],
  ['REMOVE', 'REMOVE deletes properties or labels'],
  ['FOREACH', 'FOREACH exists to run write clauses per element'],
  ['DROP', 'DROP removes schema or databases'],
  ['ALTER', 'ALTER changes databases or users'],
  ['GRANT', 'GRANT changes privileges'],
  ['DENY', 'DENY changes privileges'],
  ['REVOKE', 'REVOKE changes privileges'],
  ['RENAME', 'RENAME changes schema or users'],
]);

/**
 * How every query part must start (issue #12, item 8): an allow-list, so administration commands the
 * deny-list above never heard of (`TERMINATE TRANSACTIONS`, `SHOW USERS`, `USE other`, `STOP DATABASE`,
 * ...) are refused too. A part starts the query, follows `UNION [ALL]`, or opens a `CALL { ... }` subquery.
 */
const READ_PART_STARTS = new Set(['MATCH', 'OPTIONAL', 'WITH', 'UNWIND', 'RETURN', 'CALL']);
const ADMIN_REASONS = new Map<string, string>([
  ['TERMINATE', 'TERMINATE ends transactions of other sessions'],
  ['SHOW', 'SHOW lists server state (transactions, users, settings), not the view'],
  ['USE', 'USE switches to another database'],
  ['START', 'START administers databases'],
  ['STOP', 'STOP administers databases'],
  ['ENABLE', 'ENABLE administers servers'],
  ['DEALLOCATE', 'DEALLOCATE administers servers'],
  ['REALLOCATE', 'REALLOCATE administers servers'],
  ['EXPLAIN', 'EXPLAIN returns a plan, not rows'],
  ['PROFILE', 'PROFILE returns a plan, not only rows'],
  ['CYPHER', 'query options change how the server runs the query'],
]);

/**
 * Procedures a read query may call. Everything else is rejected: most procedures outside this list write
 * (`db.create.*`, `apoc.create.*`, `apoc.periodic.*`) or administer (`dbms.*`), and a list that allows the
 * known-safe ones cannot be wrong by omission.
 */
const READ_ONLY_PROCEDURES = [
  /^db\.labels$/i,
  /^db\.relationshipTypes$/i,
  /^db\.propertyKeys$/i,
  /^db\.schema\.(visualization|nodeTypeProperties|relTypeProperties)$/i,
  /^db\.index\.fulltext\.query(Nodes|Relationships)$/i,
  /^db\.index\.vector\.query(Nodes|Relationships)$/i,
];

export function analyzeCypher(text: string): CypherAnalysis {
  const { tokens, error } = tokenizeCypher(text);
  const findings: CypherFinding[] = error === undefined ? [] : [{ kind: 'syntax', ...error }];
  const parameters = new Map<string, number>();
  let partStart = true;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const startsPart = partStart;
    partStart = startsQueryPart(tokens, i);
    if (token.kind === 'punct' && token.text === ';' && i < tokens.length - 1) {
      findings.push({
        kind: 'write-clause',
        offset: token.start,
        message: 'a named query is one statement: nothing may follow ";"',
      });
      break;
    }
    if (token.kind === 'parameter') {
      if (!parameters.has(token.text)) parameters.set(token.text, token.start);
      continue;
    }
    if (startsPart && !(token.kind === 'word' && READ_PART_STARTS.has(token.text.toUpperCase()))) {
      const word = token.kind === 'word' ? token.text.toUpperCase() : '';
      if (!WRITE_KEYWORDS.has(word) && word !== 'LOAD') {
        const reason = ADMIN_REASONS.get(word);
        findings.push({
          kind: 'write-clause',
          offset: token.start,
          message:
            `"${token.text}" cannot start a read query${reason ? `: ${reason}` : ''}; ` +
            'start with MATCH, OPTIONAL MATCH, WITH, UNWIND, RETURN or CALL',
        });
        continue;
      }
    }
    if (token.kind !== 'word' || !isClausePosition(tokens, i)) continue;
    const word = token.text.toUpperCase();
    const next = tokens[i + 1];
    const write = WRITE_KEYWORDS.get(word);
    if (write) {
      findings.push({
        kind: 'write-clause',
        offset: token.start,
        message: `"${token.text}" is not allowed in a read query: ${write}`,
      });
    } else if (word === 'LOAD' && next?.kind === 'word' && next.text.toUpperCase() === 'CSV') {
      findings.push({
        kind: 'write-clause',
        offset: token.start,
        message: `"${token.text} ${next.text}" is not allowed in a read query: it imports data`,
      });
    } else if (word === 'IN' && next?.kind === 'word' && /^TRANSACTIONS?$/i.test(next.text)) {
      findings.push({
        kind: 'write-clause',
        offset: token.start,
        message: `"CALL { ... } ${token.text} ${next.text}" is not allowed in a read query: it batches writes`,
      });
    } else if (word === 'CALL' && next?.kind === 'word') {
      const name = procedureName(tokens, i + 1);
      if (!READ_ONLY_PROCEDURES.some((pattern) => pattern.test(name))) {
        findings.push({
          kind: 'write-clause',
          offset: next.start,
          message: `procedure "${name}" is not allowed in a read query: only read-only procedures (db.labels, db.index.fulltext.queryNodes, ...) are`,
        });
      }
    }
  }
  return { findings, parameters };
}

/** Whether the token after `index` starts a query part: after `UNION [ALL|DISTINCT]` or `CALL [(...)] {`. */
function startsQueryPart(tokens: readonly CypherToken[], index: number): boolean {
  const token = tokens[index]!;
  const next = tokens[index + 1];
  const upper = token.kind === 'word' ? token.text.toUpperCase() : '';
  if (upper === 'UNION') return !(next?.kind === 'word' && /^(ALL|DISTINCT)$/i.test(next.text));
  if ((upper === 'ALL' || upper === 'DISTINCT') && isWord(tokens[index - 1], 'UNION')) return true;
  if (token.kind !== 'punct' || token.text !== '{') return false;
  // `CALL {` or the scoped `CALL (a, b) {`
  let before = index - 1;
  if (tokens[before]?.kind === 'punct' && tokens[before]!.text === ')') {
    while (before >= 0 && !(tokens[before]!.kind === 'punct' && tokens[before]!.text === '(')) before--;
    before--;
  }
  return isWord(tokens[before], 'CALL');
}

function isWord(token: CypherToken | undefined, word: string): boolean {
  return token?.kind === 'word' && token.text.toUpperCase() === word;
}

/**
 * A keyword acts as a clause unless it is a property (`n.set`), a label or type (`:Set`, `:A|Set`), a
 * parameter or a map key (`{set: 1}`).
 */
function isClausePosition(tokens: readonly CypherToken[], index: number): boolean {
  const previous = tokens[index - 1];
  const next = tokens[index + 1];
  if (next?.kind === 'punct' && next.text === ':') return false;
  if (previous?.kind !== 'punct') return true;
  if (previous.text === '.' || previous.text === ':' || previous.text === '$') return false;
  if (previous.text === '|') {
    // `:A|B` alternates labels; `[x IN list | SET ...]` and FOREACH (... | SET ...) start a clause
    const before = tokens[index - 3];
    return !(before?.kind === 'punct' && (before.text === ':' || before.text === '|'));
  }
  return true;
}

function procedureName(tokens: readonly CypherToken[], start: number): string {
  const parts: string[] = [];
  for (let i = start; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind !== 'word') break;
    parts.push(token.text);
    const dot = tokens[i + 1];
    if (!(dot?.kind === 'punct' && dot.text === '.')) break;
    i++;
  }
  return parts.join('.');
}
