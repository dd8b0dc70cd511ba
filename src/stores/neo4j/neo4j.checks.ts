/** Shape and entry comparison of graph views, for `prism plan` and `verify` (see ../store-checks.ts). */
import type { Neo4jTargetShape } from './neo4j-view-shape';
import { parseGraphEntryKey } from '../graph-entity-keys';
import type { FieldComparison, StoreChecks } from '../store-checks';

export const neo4jChecks: StoreChecks<Neo4jTargetShape> = {
  outline: (shape) => ({
    settings: {},
    members: {
      node: Object.fromEntries(Object.entries(shape.nodes).map(([label, n]) => [label, `key ${n.key}`])),
      relationship: Object.fromEntries(
        Object.entries(shape.relationships).map(([type, r]) => [type, `${r.from}->${r.to}`]),
      ),
      property: Object.fromEntries<string>([
        ...Object.entries(shape.nodes).flatMap(([label, n]) =>
          Object.entries(n.properties).map(([p, type]): [string, string] => [`${label}.${p}`, type]),
        ),
        ...Object.entries(shape.relationships).flatMap(([type, r]) =>
          Object.entries(r.properties).map(([p, t]): [string, string] => [`${type}.${p}`, t]),
        ),
      ]),
    },
  }),

  // An entry is a node or a relationship (see graph-entity-keys.ts): its label's or type's properties.
  entryFields: (shape, key) => {
    const parsed = parseGraphEntryKey(key);
    const properties =
      parsed?.kind === 'node'
        ? shape.nodes[parsed.label]?.properties
        : parsed?.kind === 'rel'
          ? shape.relationships[parsed.type]?.properties
          : undefined;
    const comparison: Record<string, FieldComparison> = {};
    for (const [name, type] of Object.entries(properties ?? {})) {
      if (type === 'datetime') comparison[name] = 'time';
      else if (type === 'integer' || type === 'float') comparison[name] = 'number';
    }
    return { comparison };
  },
};
