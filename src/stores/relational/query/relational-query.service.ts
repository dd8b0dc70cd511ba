/**
 * The relational query API's core: resolves a view by projection name, reads the shape of its ACTIVE
 * generation (which is what the stable-name SQL view shows, also while a rebuild with another shape is
 * filling), and runs one parameterized SELECT through the relational target's own connection. No Nest
 * here; relational-query.module.ts wires it.
 */
import type { JsonValue } from '../../../core/json';
import type { CompiledProjection } from '../../../core/plan';
import { isRelationalShape, type RelationalTargetShape } from '../relational-view-shape';
import type { RelationalTarget } from '../relational.target';
import {
  NotARelationalViewError,
  RelationalViewNotReadyError,
  RowNotFoundError,
  UnknownRelationalViewError,
} from './relational-query.errors';
import {
  encodeCursor,
  parseFieldSelection,
  parseKey,
  parseRelationalQuery,
  type QueryParameters,
} from './relational-query.parser';
import { pageStatement, rowStatement } from './relational-query.sql';

export type Row = Record<string, JsonValue>;

export interface RelationalPage {
  readonly items: readonly Row[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** Where the API finds its views and the store they live in (the app gives the loaded projections). */
export interface RelationalViewSource {
  readonly projections: readonly Pick<CompiledProjection, 'name' | 'target'>[];
  /** The connected relational target, undefined while it is not connected yet. */
  target(): RelationalTarget | undefined;
}

interface ActiveView {
  readonly target: RelationalTarget;
  readonly shape: RelationalTargetShape;
}

export class RelationalQueryService {
  /** Shapes of generations by `projection\0generation`: a generation's shape never changes. */
  private readonly shapes = new Map<string, RelationalTargetShape>();

  constructor(private readonly source: RelationalViewSource) {}

  /** `GET /views/:name`: filters, sort, keyset pages, field selection. */
  async list(name: string, parameters: QueryParameters): Promise<RelationalPage> {
    const view = await this.active(name);
    const query = parseRelationalQuery(view.shape, parameters);
    const rows = await view.target.readRows(pageStatement(view.target.dialect, view.shape, query));
    const decoded = rows.map((row) => this.decode(view, row));
    const page = decoded.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => pick(row, query.fields)),
      nextCursor:
        decoded.length > query.limit && last !== undefined
          ? encodeCursor(query.sort.map((key) => last[key.column] ?? null))
          : null,
    };
  }

  /** `GET /views/:name/:key`: one row, or RowNotFoundError. */
  async get(name: string, key: string, parameters: QueryParameters): Promise<Row> {
    const view = await this.active(name);
    const fields = parseFieldSelection(view.shape, parameters);
    const rows = await view.target.readRows(
      rowStatement(view.target.dialect, view.shape, parseKey(view.shape, key), fields),
    );
    const row = rows[0];
    if (row === undefined) throw new RowNotFoundError(name, key);
    return pick(this.decode(view, row), fields);
  }

  private async active(name: string): Promise<ActiveView> {
    const projection = this.source.projections.find((candidate) => candidate.name === name);
    if (projection === undefined) throw new UnknownRelationalViewError(name);
    if (!isRelationalShape(projection.target))
      throw new NotARelationalViewError(name, projection.target.kind);
    const target = this.source.target();
    if (target === undefined) throw new RelationalViewNotReadyError(name);
    const record = await target.readProjection(name);
    const generation = record?.activeGeneration ?? null;
    if (generation === null) throw new RelationalViewNotReadyError(name);
    const cacheKey = `${name}\u0000${generation}`;
    let shape = this.shapes.get(cacheKey);
    if (shape === undefined) {
      const stored = (await target.listGenerations(name)).find((g) => g.generation === generation)?.shape;
      if (stored === undefined || !isRelationalShape(stored)) throw new RelationalViewNotReadyError(name);
      shape = stored;
      this.shapes.set(cacheKey, shape);
    }
    return { target, shape };
  }

  private decode(view: ActiveView, row: Record<string, unknown>): Row {
    const decoded: Row = {};
    for (const [column, raw] of Object.entries(row)) {
      const type = view.shape.columns[column]?.type ?? 'text';
      decoded[column] = view.target.dialect.decode(type, raw);
    }
    return decoded;
  }
}

function pick(row: Row, fields: readonly string[]): Row {
  return Object.fromEntries(fields.map((field) => [field, row[field] ?? null]));
}
