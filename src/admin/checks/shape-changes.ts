/**
 * What a definition change does to the view's declared shape, for `prism plan`: columns, fields,
 * labels, relationship types and properties added, removed or retyped, and renamed views or keys.
 */
import type { TargetShape } from '../../core/view-shape';

export interface ShapeChange {
  readonly change: 'added' | 'removed' | 'changed';
  /** What changed: `column total`, `field price`, `node Customer`, `property Customer.name`, `table`, … */
  readonly what: string;
  readonly from?: string;
  readonly to?: string;
}

export function shapeChanges(current: TargetShape | undefined, next: TargetShape): ShapeChange[] {
  if (current === undefined) return [];
  if (current.kind !== next.kind)
    return [{ change: 'changed', what: 'target kind', from: current.kind, to: next.kind }];
  const changes: ShapeChange[] = [];
  const scalar = (what: string, from: string, to: string) => {
    if (from !== to) changes.push({ change: 'changed', what, from, to });
  };
  const members = (what: string, from: Record<string, string>, to: Record<string, string>) => {
    for (const name of Object.keys(from).sort()) {
      if (!(name in to)) changes.push({ change: 'removed', what: `${what} ${name}`, from: from[name] });
      else if (from[name] !== to[name])
        changes.push({ change: 'changed', what: `${what} ${name}`, from: from[name], to: to[name] });
    }
    for (const name of Object.keys(to).sort()) {
      if (!(name in from)) changes.push({ change: 'added', what: `${what} ${name}`, to: to[name] });
    }
  };
  if (current.kind === 'postgres' && next.kind === 'postgres') {
    scalar('table', current.table, next.table);
    scalar('key', current.key, next.key);
    const columns = (shape: typeof current) =>
      Object.fromEntries(
        Object.entries(shape.columns).map(([name, c]) => [name, `${c.type}${c.nullable ? ' nullable' : ''}`]),
      );
    members('column', columns(current), columns(next));
    const indexes = (shape: typeof current) =>
      Object.fromEntries(
        shape.indexes.map((i) => [`(${i.columns.join(', ')})`, i.unique ? 'unique' : 'index']),
      );
    members('index', indexes(current), indexes(next));
  } else if (current.kind === 'elasticsearch' && next.kind === 'elasticsearch') {
    scalar('index', current.index, next.index);
    scalar('id', current.id, next.id);
    const fields = (shape: typeof current) =>
      Object.fromEntries(
        Object.entries(shape.fields).map(([name, f]) => [
          name,
          [f.type, f.facet ? 'facet' : '', f.filter ? 'filter' : ''].filter(Boolean).join(' '),
        ]),
      );
    members('field', fields(current), fields(next));
  } else if (current.kind === 'neo4j' && next.kind === 'neo4j') {
    const nodes = (shape: typeof current) =>
      Object.fromEntries(Object.entries(shape.nodes).map(([label, n]) => [label, `key ${n.key}`]));
    members('node', nodes(current), nodes(next));
    const relationships = (shape: typeof current) =>
      Object.fromEntries(
        Object.entries(shape.relationships).map(([type, r]) => [type, `${r.from}->${r.to}`]),
      );
    members('relationship', relationships(current), relationships(next));
    const properties = (shape: typeof current): Record<string, string> =>
      Object.fromEntries<string>([
        ...Object.entries(shape.nodes).flatMap(([label, n]) =>
          Object.entries(n.properties).map(([p, type]): [string, string] => [`${label}.${p}`, type]),
        ),
        ...Object.entries(shape.relationships).flatMap(([type, r]) =>
          Object.entries(r.properties).map(([p, t]): [string, string] => [`${type}.${p}`, t]),
        ),
      ]);
    members('property', properties(current), properties(next));
  }
  return changes;
}
