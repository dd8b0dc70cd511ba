/** Shape and entry comparison of jsonfile views, for `prism plan` and `verify` (src/stores/store-checks.ts). */
import type { FieldComparison, StoreChecks } from '../../src/stores/store-checks';
import type { JsonFileTargetShape } from './jsonfile-view-shape';

export const jsonFileChecks: StoreChecks<JsonFileTargetShape> = {
  outline: (shape) => ({
    settings: { collection: shape.collection, key: shape.key },
    members: {
      field: Object.fromEntries(
        Object.entries(shape.fields).map(([name, f]) => [name, f.nullable ? `${f.type} nullable` : f.type]),
      ),
    },
  }),
  entryFields: (shape) => {
    const comparison: Record<string, FieldComparison> = {};
    for (const [name, field] of Object.entries(shape.fields)) {
      if (field.type === 'timestamp') comparison[name] = 'time';
      if (field.type === 'integer' || field.type === 'number') comparison[name] = 'number';
    }
    return { comparison, stored: new Set(Object.keys(shape.fields)) };
  },
};
