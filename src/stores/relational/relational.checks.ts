/** Shape and entry comparison of relational views, for `prism plan` and `verify` (see ../store-checks.ts). */
import type { RelationalTargetShape } from './relational-view-shape';
import type { FieldComparison, StoreChecks } from '../store-checks';

const NUMERIC_COLUMNS: ReadonlySet<string> = new Set(['integer', 'bigint', 'double', 'numeric']);

export const relationalChecks: StoreChecks<RelationalTargetShape> = {
  outline: (shape) => ({
    settings: { table: shape.table, key: shape.key },
    members: {
      column: Object.fromEntries(
        Object.entries(shape.columns).map(([name, c]) => [name, `${c.type}${c.nullable ? ' nullable' : ''}`]),
      ),
      index: Object.fromEntries(
        shape.indexes.map((i) => [`(${i.columns.join(', ')})`, i.unique ? 'unique' : 'index']),
      ),
    },
  }),

  entryFields: (shape) => {
    const comparison: Record<string, FieldComparison> = {};
    for (const [name, column] of Object.entries(shape.columns)) {
      if (column.type === 'timestamptz') comparison[name] = 'time';
      else if (NUMERIC_COLUMNS.has(column.type)) comparison[name] = 'number';
    }
    // Rows hold exactly the declared columns; undeclared fields of a plan's document are not stored.
    return { comparison, stored: new Set(Object.keys(shape.columns)) };
  },

  // Both definitions' columns, so a column the new definition removes shows as a changed field too.
  sampleShape: (current, next) => ({ ...next, columns: { ...current.columns, ...next.columns } }),
};
