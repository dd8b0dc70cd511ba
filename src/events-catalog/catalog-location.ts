/**
 * Where the event catalog file is (issue #16): given explicitly (`--catalog`, the `eventCatalog` option),
 * else `PRISM_EVENT_CATALOG`, else `projections/events.catalog.yaml` when that file exists. A
 * `*.catalog.yaml` file in a definitions folder is never read as a projection definition.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const EVENT_CATALOG_ENV = 'PRISM_EVENT_CATALOG';
export const DEFAULT_EVENT_CATALOG_FILE = 'projections/events.catalog.yaml';

export function isEventCatalogFile(path: string): boolean {
  return /\.catalog\.ya?ml$/.test(path);
}

/** The catalog file to read, or undefined when there is none. */
export function eventCatalogPath(
  cwd: string,
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const given = explicit ?? (env[EVENT_CATALOG_ENV] || undefined);
  if (given !== undefined) return resolve(cwd, given);
  const fallback = resolve(cwd, DEFAULT_EVENT_CATALOG_FILE);
  return existsSync(fallback) ? fallback : undefined;
}
