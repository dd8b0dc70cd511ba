/**
 * The Cypher text of the graph batch statements (graph-batch.ts) for one generation of one projection:
 * every value is a parameter (`$rows`, one UNWIND per statement), every name comes from the declared
 * shape, is checked and backtick-quoted (neo4j-names.ts). Texts are cached per statement shape, so Neo4j
 * plans each shape once and reuses the plan.
 */
import type { GraphPropertyType, Neo4jTargetShape } from './neo4j-view-shape';
import { PLACEHOLDER_PROPERTY, physicalName, quoted } from './neo4j-names';
import { valueExpression } from './graph-values';

/** The properties one statement sets: names in order (`row.v[i]` is the value of names[i]). */
export interface PropertyList {
  readonly names: readonly string[];
  readonly types: readonly GraphPropertyType[];
}

/** The shape of a fused create statement (graph-fused-creates.ts): everything but its rows. */
export interface FusedShape {
  readonly label: string;
  readonly properties: PropertyList;
  readonly type: string;
  readonly relationshipProperties: PropertyList;
  /** Which end of the relationship the new node is. */
  readonly side: 'from' | 'to';
  /** The other end is MERGEd (nobody looked it up) rather than MATCHed. */
  readonly mergeOther: boolean;
}

export interface RelationshipMode {
  readonly create: boolean;
  readonly mergeFrom: boolean;
  readonly mergeTo: boolean;
}

/** What statements that check their rows return: how many rows found both their nodes. */
export const MATCHED_COLUMN = 'matched';
/** What updateNodes statements return: the index of each row that matched more nodes than its cap. */
export const OVER_CAP_COLUMN = 'over';

export class GraphCypher {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly projection: string,
    private readonly generation: number,
    private readonly shape: Neo4jTargetShape,
  ) {}

  /**
   * Which of the keys `$k<i>` have no node of labels[i]: rows (l: label index, k: key). Read only; returns
   * the missing keys, usually the fewer (a batch mostly meets products and customers that exist).
   */
  missing(labels: readonly string[]): string {
    return this.cached(`missing\u0000${labels.join(',')}`, () =>
      labels
        .map(
          (label, i) =>
            `UNWIND $k${i} AS k WITH k WHERE NOT EXISTS { MATCH (n:${this.nodePattern(label, 'k')}) } RETURN ${i} AS l, k`,
        )
        .join(' UNION ALL '),
    );
  }

  /** Nodes that do not exist yet (the batch looked them up): CREATE, the key's constraint still checks. */
  createNodes(label: string, properties: PropertyList): string {
    return this.cached(`createNodes\u0000${label}\u0000${properties.names.join(',')}`, () => {
      const key = this.keyProperty(label);
      const values = properties.names.map(
        (name, i) => `${quoted('property', name)}: ${valueExpression(properties.types[i]!, `row.v[${i}]`)}`,
      );
      return `UNWIND $rows AS row CREATE (n:${this.label(label)} {${[`${key}: row.k`, ...values].join(', ')}})`;
    });
  }

  /** Nodes that exist: found through the key's uniqueness constraint; a placeholder becomes a node. */
  updateNodes(label: string, properties: PropertyList): string {
    return this.cached(`updateNodes\u0000${label}\u0000${properties.names.join(',')}`, () => {
      const sets = properties.names.map(
        (name, i) =>
          `n.${quoted('property', name)} = ${valueExpression(properties.types[i]!, `row.v[${i}]`)}`,
      );
      sets.push(`n.${PLACEHOLDER_PROPERTY} = null`);
      return (
        `UNWIND $rows AS row MATCH (n:${this.nodePattern(label, 'row.k')}) SET ${sets.join(', ')} ` +
        `RETURN count(*) AS ${MATCHED_COLUMN}`
      );
    });
  }

  /**
   * updateNodes: per row, the nodes of the label whose `property` holds `row.w` (a seek on the property's
   * RANGE index), each given the row's values when there are at most `row.m` of them; rows with more come
   * back (OVER_CAP_COLUMN) and the batch fails. Rows select distinct values (graph-segments.ts).
   */
  updateByProperty(
    label: string,
    property: string,
    type: GraphPropertyType,
    properties: PropertyList,
  ): string {
    return this.cached(
      `updateByProperty\u0000${label}\u0000${property}\u0000${properties.names.join(',')}`,
      () => {
        const sets = properties.names.map(
          (name, i) =>
            `n.${quoted('property', name)} = ${valueExpression(properties.types[i]!, `row.v[${i}]`)}`,
        );
        return (
          `UNWIND $rows AS row OPTIONAL MATCH (n:${this.label(label)}) ` +
          `WHERE n.${quoted('property', property)} = ${valueExpression(type, 'row.w')} ` +
          'WITH row, collect(n) AS nodes ' +
          `FOREACH (n IN CASE WHEN size(nodes) <= row.m THEN nodes ELSE [] END | SET ${sets.join(', ')}) ` +
          `WITH row, size(nodes) AS matched WHERE matched > row.m RETURN row.i AS ${OVER_CAP_COLUMN}`
        );
      },
    );
  }

  /** Ends of relationships that do not exist yet and have no mergeNode in the segment: key only, marked. */
  createPlaceholders(label: string): string {
    return this.cached(
      `createPlaceholders\u0000${label}`,
      () =>
        `UNWIND $rows AS k CREATE (n:${this.label(label)} {${this.keyProperty(label)}: k, ${PLACEHOLDER_PROPERTY}: true})`,
    );
  }

  /**
   * Nodes nobody looked up that must exist (the other end of a relationship the batch skips): MERGE, a
   * placeholder when it is created.
   */
  ensureNodes(label: string): string {
    return this.cached(
      `ensureNodes\u0000${label}`,
      () =>
        `UNWIND $rows AS k MERGE (n:${this.nodePattern(label, 'k')}) ON CREATE SET n.${PLACEHOLDER_PROPERTY} = true`,
    );
  }

  /**
   * Relationships. `create`: the batch knows they are new (an end was created in this segment), else MERGE.
   * Each end is found by MATCH on its key when the batch knows it exists, or MERGEd (a placeholder when
   * created) when nobody looked it up.
   */
  relationships(type: string, properties: PropertyList, mode: RelationshipMode): string {
    const variant = `${mode.create ? 'create' : 'merge'},${mode.mergeFrom ? 'merge' : 'match'},${mode.mergeTo ? 'merge' : 'match'}`;
    return this.cached(
      `relationships\u0000${type}\u0000${properties.names.join(',')}\u0000${variant}`,
      () => {
        const relationship = this.shape.relationships[type]!;
        const end = (variable: 'a' | 'b', label: string, merge: boolean) =>
          merge
            ? `MERGE (${variable}:${this.nodePattern(label, `row.${variable}`)}) ON CREATE SET ${variable}.${PLACEHOLDER_PROPERTY} = true`
            : `MATCH (${variable}:${this.nodePattern(label, `row.${variable}`)})`;
        // MATCHes before MERGEs (Cypher needs a WITH between a MERGE and a later MATCH)
        const ends = [end('a', relationship.from, mode.mergeFrom), end('b', relationship.to, mode.mergeTo)]
          .sort((x, y) => Number(x.startsWith('MERGE')) - Number(y.startsWith('MERGE')))
          .join(' ');
        const value = (i: number) => valueExpression(properties.types[i]!, `row.v[${i}]`);
        let write: string;
        if (mode.create) {
          const values = properties.names.map((name, i) => `${quoted('property', name)}: ${value(i)}`);
          const map = values.length > 0 ? ` {${values.join(', ')}}` : '';
          write = `CREATE (a)-[r:${this.type(type)}${map}]->(b)`;
        } else {
          const sets = properties.names.map((name, i) => `r.${quoted('property', name)} = ${value(i)}`);
          write =
            `MERGE (a)-[r:${this.type(type)}]->(b)` + (sets.length > 0 ? ` SET ${sets.join(', ')}` : '');
        }
        return `UNWIND $rows AS row ${ends} ${write} RETURN count(*) AS ${MATCHED_COLUMN}`;
      },
    );
  }

  /**
   * New nodes, each CREATEd with one relationship (graph-fused-creates.ts): rows (k, v: the node; o: the
   * other end's key, MATCHed, or MERGEd as a placeholder when nobody looked it up; w: the relationship's
   * values). Checked like relationships: a row whose other end is missing creates nothing.
   */
  createNodesWithRelationships(fused: FusedShape): string {
    const { label, properties, type, relationshipProperties, side, mergeOther } = fused;
    return this.cached(
      `createNodesWithRelationships\u0000${label}\u0000${properties.names.join(',')}\u0000${type}\u0000` +
        `${relationshipProperties.names.join(',')}\u0000${side}\u0000${mergeOther}`,
      () => {
        const relationship = this.shape.relationships[type]!;
        const otherLabel = side === 'from' ? relationship.to : relationship.from;
        const other = mergeOther
          ? `MERGE (o:${this.nodePattern(otherLabel, 'row.o')}) ON CREATE SET o.${PLACEHOLDER_PROPERTY} = true`
          : `MATCH (o:${this.nodePattern(otherLabel, 'row.o')})`;
        const nodeValues = properties.names.map(
          (name, i) => `${quoted('property', name)}: ${valueExpression(properties.types[i]!, `row.v[${i}]`)}`,
        );
        const relationshipValues = relationshipProperties.names.map(
          (name, i) =>
            `${quoted('property', name)}: ${valueExpression(relationshipProperties.types[i]!, `row.w[${i}]`)}`,
        );
        const map = relationshipValues.length > 0 ? ` {${relationshipValues.join(', ')}}` : '';
        const arrow = `-[r:${this.type(type)}${map}]->`;
        return (
          `UNWIND $rows AS row ${other} ` +
          `CREATE (n:${this.label(label)} {${[`${this.keyProperty(label)}: row.k`, ...nodeValues].join(', ')}}) ` +
          `CREATE ${side === 'from' ? `(n)${arrow}(o)` : `(o)${arrow}(n)`} RETURN count(*) AS ${MATCHED_COLUMN}`
        );
      },
    );
  }

  deleteRelationships(type: string): string {
    return this.cached(`deleteRelationships\u0000${type}`, () => {
      const relationship = this.shape.relationships[type]!;
      return (
        `UNWIND $rows AS row MATCH (a:${this.nodePattern(relationship.from, 'row.a')})` +
        `-[r:${this.type(type)}]->(b:${this.nodePattern(relationship.to, 'row.b')}) DELETE r`
      );
    });
  }

  deleteNodes(label: string): string {
    return this.cached(
      `deleteNodes\u0000${label}`,
      () => `UNWIND $rows AS row MATCH (n:${this.nodePattern(label, 'row.k')}) DETACH DELETE n`,
    );
  }

  /** `Label {key: value}`: the lookup the key's uniqueness constraint serves (NodeUniqueIndexSeek). */
  private nodePattern(label: string, value: string): string {
    return `${this.label(label)} {${this.keyProperty(label)}: ${value}}`;
  }

  private keyProperty(label: string): string {
    return quoted('key', this.shape.nodes[label]!.key);
  }

  private label(declared: string): string {
    return quoted('label', physicalName(declared, this.projection, this.generation));
  }

  private type(declared: string): string {
    return quoted('relationship type', physicalName(declared, this.projection, this.generation));
  }

  private cached(key: string, build: () => string): string {
    let cypher = this.cache.get(key);
    if (cypher === undefined) {
      cypher = build();
      this.cache.set(key, cypher);
    }
    return cypher;
  }
}
