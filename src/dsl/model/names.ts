/**
 * Name patterns of the DSL, with the human description used in error messages. Store sections
 * (src/stores/<store>/dsl/) build their names from these, so this file imports nothing of the DSL.
 */
import { z } from 'zod';

/** Names, with the pattern and a human description used in error messages. */
export const NAME_PATTERNS = {
  projection: { pattern: /^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$/, human: 'snake_case or kebab-case' },
  column: { pattern: /^[a-z_][a-z0-9_]*$/, human: 'snake_case' },
  field: { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, human: 'a letter or _ followed by letters, digits or _' },
  label: { pattern: /^[A-Z][A-Za-z0-9]*$/, human: 'PascalCase' },
  relationshipType: { pattern: /^[A-Z][A-Z0-9_]*$/, human: 'UPPER_SNAKE_CASE' },
  property: { pattern: /^[a-z][A-Za-z0-9_]*$/, human: 'camelCase or snake_case' },
  eventType: { pattern: /^[A-Za-z][A-Za-z0-9_.:-]*$/, human: 'an event type name such as OrderPlaced' },
  lookup: { pattern: /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/, human: 'snake_case' },
  parameter: { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, human: 'a letter or _ followed by letters, digits or _' },
} as const;

export type NameKind = keyof typeof NAME_PATTERNS;

/** A string schema for a name of this kind (schema-issues.ts recognises the pattern in its messages). */
export function named(kind: NameKind, description: string) {
  return z.string().regex(NAME_PATTERNS[kind].pattern).describe(description);
}
