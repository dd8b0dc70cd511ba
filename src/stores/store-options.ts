/**
 * A view store's entry in the Nest module's options (`PrismOptions.viewStores[kind]`, src/nest): settings
 * like those the environment gives, or a client the app already has. Each store module reads its own entry
 * (its `connection.fromOptions`); these helpers keep the problems they report in one shape, each naming
 * the field, so a bad entry fails the start with a message that says which option to fix.
 */
import type { z } from 'zod';

/** One bad field of a store's entry; `path` is relative to the entry (`client`, `auth.username`). */
export interface StoreOptionProblem {
  readonly path: string;
  readonly problem: string;
}

export interface StoreOptionsResult<Settings> {
  readonly settings?: Settings;
  readonly problems: readonly StoreOptionProblem[];
}

/** Parses `value` with `schema`; every issue becomes a problem at its path. */
export function parseStoreOption<Settings>(
  schema: z.ZodType<Settings>,
  value: unknown,
): StoreOptionsResult<Settings> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { settings: parsed.data, problems: [] };
  return {
    problems: parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      problem: issue.message,
    })),
  };
}

/**
 * Which of the mutually exclusive ways to give a store an entry uses (`client`, `url`, ...): exactly one
 * of `keys` must be present. Returns the key, or the problem.
 */
export function oneOf<Key extends string>(
  value: unknown,
  keys: readonly Key[],
): { readonly key: Key } | { readonly problem: StoreOptionProblem } {
  const alternatives = keys.map((key) => `\`${key}\``).join(', ');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { problem: { path: '', problem: `expected an object with one of ${alternatives}` } };
  const present = keys.filter((key) => (value as Record<string, unknown>)[key] !== undefined);
  if (present.length === 1) return { key: present[0]! };
  return {
    problem: {
      path: '',
      problem:
        present.length === 0
          ? `expected one of ${alternatives}`
          : `give one of ${alternatives}, not ${present.map((key) => `\`${key}\``).join(' and ')}`,
    },
  };
}

/**
 * Whether `value` has these methods: how a client is recognised. `instanceof` would refuse a client made
 * by the app's own copy of the library, which need not be the copy Prism resolves.
 */
export function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return methods.every((method) => typeof record[method] === 'function');
}
