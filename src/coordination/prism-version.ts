/**
 * Prism's package version, as nodes announce it (`prism nodes` shows which version each node runs during
 * a rolling deploy). Read from the package's package.json, two folders up from this file both in src/
 * (src/coordination/) and in the built package (dist/coordination/).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

export function prismVersion(): string {
  if (cached !== undefined) return cached;
  try {
    const text = readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8');
    const version = (JSON.parse(text) as { version?: unknown }).version;
    cached = typeof version === 'string' ? version : 'unknown';
  } catch {
    cached = 'unknown';
  }
  return cached;
}
