/**
 * What a definition change does to the view's declared shape, for `prism plan`: columns, fields,
 * labels, relationship types and properties added, removed or retyped, and renamed views or keys. Each
 * store module outlines its own shapes (its `checks.outline`); this compares two outlines.
 */
import type { TargetShape } from '../../core/view-shape';
import { storeModule } from '../../stores/registry';

export interface ShapeChange {
  readonly change: 'added' | 'removed' | 'changed';
  /** What changed: `column total`, `field price`, `node Customer`, `property Customer.name`, `table`, … */
  readonly what: string;
  readonly from?: string;
  readonly to?: string;
}

export function shapeChanges(current: TargetShape | undefined, next: TargetShape): ShapeChange[] {
  if (current === undefined) return [];
  const store = storeModule(next.kind);
  // Compared by store module, so a stored shape written under an alias of the kind is the same store.
  if (storeModule(current.kind) !== store)
    return [{ change: 'changed', what: 'target kind', from: current.kind, to: next.kind }];
  const from = store.checks.outline(current);
  const to = store.checks.outline(next);
  const changes: ShapeChange[] = [];
  for (const name of unique(Object.keys(from.settings), Object.keys(to.settings))) {
    const [before, after] = [from.settings[name], to.settings[name]];
    if (before !== after) changes.push({ change: 'changed', what: name, from: before, to: after });
  }
  for (const group of unique(Object.keys(from.members), Object.keys(to.members))) {
    const [before, after] = [from.members[group] ?? {}, to.members[group] ?? {}];
    for (const name of Object.keys(before).sort()) {
      const what = `${group} ${name}`;
      if (!(name in after)) changes.push({ change: 'removed', what, from: before[name] });
      else if (before[name] !== after[name])
        changes.push({ change: 'changed', what, from: before[name], to: after[name] });
    }
    for (const name of Object.keys(after).sort()) {
      if (!(name in before)) changes.push({ change: 'added', what: `${group} ${name}`, to: after[name] });
    }
  }
  return changes;
}

/** The names of both lists, in order of first appearance. */
function unique(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second])];
}
