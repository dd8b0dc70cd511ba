/** Shape and entry comparison of search views, for `prism plan` and `verify` (see ../store-checks.ts). */
import { fieldPaths, type ElasticsearchTargetShape } from './elasticsearch-view-shape';
import type { FieldComparison, StoreChecks } from '../store-checks';

export const elasticsearchChecks: StoreChecks<ElasticsearchTargetShape> = {
  outline: (shape) => ({
    settings: { index: shape.index, id: shape.id },
    members: {
      // sub-fields by their path (`city.raw`): adding one is a mapping change `prism plan` lists
      field: Object.fromEntries(
        [...fieldPaths(shape)].map(([name, f]) => [
          name,
          [f.type, f.facet ? 'facet' : '', f.filter ? 'filter' : ''].filter(Boolean).join(' '),
        ]),
      ),
    },
  }),

  entryFields: (shape) => {
    const comparison: Record<string, FieldComparison> = {};
    for (const [name, field] of Object.entries(shape.fields)) {
      if (field.type === 'date') comparison[name] = 'time';
    }
    return { comparison };
  },
};
