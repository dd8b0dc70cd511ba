/**
 * Binds a named query, written with the labels and relationship types as declared, to one generation's
 * physical names: `MATCH (c:Customer)-[:PLACED]->(o:Order)` becomes
 * `MATCH (c:\`Customer__purchase_graph_g2\`)-[:\`PLACED__purchase_graph_g2\`]->(o:\`Order__purchase_graph_g2\`)`.
 *
 * The text is tokenized (strings, comments, backtick names and parameters are skipped as units), and only
 * a name in *label position* is replaced: right after a `:` that is not a map key's colon
 * (`{customerId: $id}`), or after `|`, `&`, `!` inside such a label expression. Names that are not
 * declared stay as written. Everything else of the query is kept byte for byte.
 */
import type { Neo4jTargetShape } from '../neo4j-view-shape';
import { tokenizeCypher } from '../cypher-lexer';
import { physicalName } from '../neo4j-names';

export class CypherTokenError extends Error {
  override readonly name = 'CypherTokenError';
  constructor(
    readonly offset: number,
    problem: string,
  ) {
    super(
      `The named query cannot be read at offset ${offset}: ${problem}; fix its cypher in the projection definition.`,
    );
  }
}

const BLOCK_KEYWORDS = new Set(['CALL', 'EXISTS', 'COUNT', 'COLLECT']);

export function bindLabels(
  cypher: string,
  shape: Neo4jTargetShape,
  projection: string,
  generation: number,
): string {
  const labels = new Set(Object.keys(shape.nodes));
  const types = new Set(Object.keys(shape.relationships));
  const { tokens, error } = tokenizeCypher(cypher);
  if (error !== undefined) throw new CypherTokenError(error.offset, error.message);
  const brackets: ('(' | '[' | 'map' | 'block')[] = [];
  const replacements: { start: number; end: number; text: string }[] = [];
  let state: 'none' | 'expectName' | 'afterName' = 'none';

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (state === 'expectName') {
      if (token.kind === 'word' || token.kind === 'name') {
        const declared = token.text;
        const inRelationship = brackets[brackets.length - 1] === '[';
        const isLabel = labels.has(declared) && (!types.has(declared) || !inRelationship);
        const isType = !isLabel && types.has(declared);
        if (isLabel || isType) {
          replacements.push({
            start: token.start,
            end: token.end,
            text: `\`${physicalName(declared, projection, generation)}\``,
          });
        }
        state = 'afterName';
        continue;
      }
      if (token.kind === 'punct' && (token.text === '!' || token.text === ':')) continue;
      if (token.kind === 'punct' && token.text === '%') {
        state = 'afterName';
        continue;
      }
      state = 'none';
    } else if (state === 'afterName') {
      if (token.kind === 'punct' && (token.text === '|' || token.text === '&' || token.text === ':')) {
        state = 'expectName';
        continue;
      }
      state = 'none';
    }
    if (token.kind !== 'punct') continue;
    switch (token.text) {
      case '(':
      case '[':
        brackets.push(token.text);
        break;
      case '{': {
        const previous = tokens[i - 1];
        brackets.push(
          previous?.kind === 'word' && BLOCK_KEYWORDS.has(previous.text.toUpperCase()) ? 'block' : 'map',
        );
        break;
      }
      case ')':
      case ']':
      case '}':
        brackets.pop();
        break;
      case ':': {
        const key = tokens[i - 1];
        const before = tokens[i - 2];
        const mapKey =
          brackets[brackets.length - 1] === 'map' &&
          (key?.kind === 'word' || key?.kind === 'name') &&
          before?.kind === 'punct' &&
          (before.text === '{' || before.text === ',');
        if (!mapKey) state = 'expectName';
        break;
      }
    }
  }
  let out = '';
  let at = 0;
  for (const replacement of replacements) {
    out += cypher.slice(at, replacement.start) + replacement.text;
    at = replacement.end;
  }
  return out + cypher.slice(at);
}
