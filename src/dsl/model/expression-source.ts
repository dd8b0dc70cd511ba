/**
 * YAML scalars that are numbers, booleans or null are CEL literals; strings are CEL source. This turns
 * either into CEL source so the validated model only ever holds strings.
 */
export function expressionSource(value: string | number | boolean | null): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'null';
    // CEL reads `2` as int and `2.5` as double, exactly as JSON authors mean them.
    return String(value);
  }
  return String(value);
}

/** A CEL string literal for a JS string (CEL accepts JSON's escapes). */
export function celStringLiteral(value: string): string {
  return JSON.stringify(value);
}
