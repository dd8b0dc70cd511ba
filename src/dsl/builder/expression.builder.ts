/**
 * Typed references for CEL expressions written in TypeScript. `event.data.orderId` is a reference whose
 * TypeScript type comes from the event payload type, so a misspelt field is a compile error; its value is
 * the CEL source `event.data.orderId`. Plain JS values are literals. `cel` composes raw CEL with references.
 * Built with a Proxy that only records property names: nothing is evaluated, nothing is eval'ed.
 */
import { celStringLiteral } from '../model/expression-source';

const SOURCE = Symbol('cel-source');

/** A CEL expression producing a value of type T (T is for TypeScript only). */
export interface Expr<T> {
  readonly [SOURCE]: string;
  /** Phantom: never set at run time. */
  readonly __type?: T;
}

/** A reference to a value of type T; objects expose typed references to their fields. */
export type Ref<T> = Expr<T> &
  (T extends readonly unknown[]
    ? unknown
    : T extends object
      ? { readonly [K in keyof T]-?: Ref<T[K]> }
      : unknown);

/** What can be written where a value of type T is expected: a literal, or an expression of that type. */
export type ValueLike<T> = T | Expr<T>;

/** JSON-ish values a literal may hold. */
type Literal = string | number | boolean | null | readonly Literal[] | { readonly [key: string]: Literal };

export function isExpr(value: unknown): value is Expr<unknown> {
  return typeof value === 'object' && value !== null && SOURCE in value;
}

/** The CEL source of an expression or literal. */
export function celSource(value: unknown): string {
  if (isExpr(value)) return value[SOURCE];
  return literal(value as Literal);
}

function literal(value: Literal): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return celStringLiteral(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${(value as readonly unknown[]).map(celSource).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => `${celStringLiteral(key)}: ${celSource(item)}`)
    .join(', ')}}`;
}

function expr<T>(source: string): Expr<T> {
  return { [SOURCE]: source };
}

/** A reference whose fields are references too: `ref('event').data.orderId` is `event.data.orderId`. */
export function reference<T>(path: string): Ref<T> {
  const target = expr<T>(path);
  return new Proxy(target, {
    get(object, property) {
      if (property === SOURCE) return path;
      if (typeof property === 'symbol' || property === 'then') return undefined;
      // CEL identifiers only; anything else is reached with ["..."]
      const step = /^[A-Za-z_][A-Za-z0-9_]*$/.test(property)
        ? `.${property}`
        : `[${celStringLiteral(property)}]`;
      return reference<unknown>(`${path}${step}`);
    },
    has: (object, property) => property === SOURCE,
  }) as Ref<T>;
}

/**
 * Raw CEL with interpolated references and literals: cel`${event.data.qty} * ${event.data.price}`.
 * The result is checked by the CEL type checker when the definition is built (TypeScript sees it as
 * fitting anywhere).
 */
export function cel(strings: TemplateStringsArray, ...values: unknown[]): Expr<never> {
  let source = strings[0] ?? '';
  values.forEach((value, index) => {
    const inner = celSource(value);
    // keep precedence: a compound expression is parenthesized, a path or literal is not
    const atomic = /^[A-Za-z_][A-Za-z0-9_.]*$/.test(inner) || !isExpr(value);
    source += (atomic ? inner : `(${inner})`) + (strings[index + 1] ?? '');
  });
  return expr<never>(source);
}
