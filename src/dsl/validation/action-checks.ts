/** What the checks of one action need: where problems go, how expressions are typed, what is untyped. */
import type { Problems } from './problems';
import type { ExpressionChecker } from './expression.checker';

export interface ActionCheckContext {
  readonly problems: Problems;
  readonly expressions: ExpressionChecker;
  /** Target declarations that failed the schema (see target-salvage.ts): written to, but not type-checked. */
  readonly untyped: ReadonlySet<string>;
}
