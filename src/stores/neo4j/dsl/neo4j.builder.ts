/**
 * The typed TypeScript builder's helper for a Neo4j target section (see
 * src/dsl/builder/define-projection.ts): `neo4j({ nodes, relationships })` gives the section, with the
 * labels, relationship types and property types its merges may write.
 */
import type { GraphTargetSection } from '../../../dsl/builder/define-projection';
import type { GraphPropertyType } from '../neo4j-view-shape';

type Properties = Readonly<Record<string, GraphPropertyType>>;

interface NodeDeclaration {
  readonly key: string;
  readonly properties: Properties;
}
interface RelationshipDeclaration {
  readonly from: string;
  readonly to: string;
  readonly properties?: Properties;
}

type PropertyTs<T extends GraphPropertyType> = T extends 'integer' | 'float'
  ? number
  : T extends 'boolean'
    ? boolean
    : string;
type PropertiesTs<P extends Properties | undefined> = P extends Properties
  ? { [K in keyof P]: PropertyTs<P[K]> }
  : Record<never, never>;

export interface Neo4jTargetInput<
  Nodes extends Record<string, NodeDeclaration>,
  Relationships extends Record<string, RelationshipDeclaration>,
> {
  readonly nodes: Nodes;
  readonly relationships?: Relationships;
}

export type Neo4jTarget<
  Nodes extends Record<string, NodeDeclaration>,
  Relationships extends Record<string, RelationshipDeclaration>,
> = Neo4jTargetInput<Nodes, Relationships> & { readonly kind: 'neo4j' } & GraphTargetSection<{
    nodes: { [L in keyof Nodes]: PropertiesTs<Nodes[L]['properties']> };
    relationships: {
      [T in keyof Relationships]: {
        from: Relationships[T]['from'];
        to: Relationships[T]['to'];
        properties: PropertiesTs<Relationships[T]['properties']>;
      };
    };
  }>;

export function neo4j<
  const Nodes extends Record<string, NodeDeclaration>,
  const Relationships extends Record<string, RelationshipDeclaration> = Record<never, never>,
>(target: Neo4jTargetInput<Nodes, Relationships>): Neo4jTarget<Nodes, Relationships> {
  // the graph types are a compile-time brand only; the section is plain data
  return { kind: 'neo4j', ...target } as Neo4jTarget<Nodes, Relationships>;
}
