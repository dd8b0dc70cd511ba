/**
 * The console's static files: built by `npm run build` (esbuild, see README.md) into dist/console/public,
 * served from a fixed list (no path from the URL ever reaches the file system).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** The files a browser may ask for, by URL name, with their content type. */
export const CONSOLE_ASSETS: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'main.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

/**
 * Every console response carries this policy: scripts and styles only from Prism itself (no inline script
 * or style, no other origin), data only from Prism's own API, never framed, no form posts, no <base>.
 * Data shown in the page (definitions, event payloads) is attacker-controlled; the page only ever sets it
 * as text, and this policy is the second line of defence.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
};

/**
 * Where the built files are: beside the compiled server (dist/console/public), or, when the server runs
 * from the TypeScript sources (tests, tsx), in dist/ of the checkout. Undefined when not built.
 */
export function consoleAssetsDir(): string | undefined {
  const candidates = [join(__dirname, 'public'), resolve(__dirname, '../../dist/console/public')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/** The file's bytes and type, or undefined for a name not on the list or a console that is not built. */
export async function readConsoleAsset(
  name: string,
): Promise<{ readonly body: Buffer; readonly type: string } | undefined> {
  const type = Object.hasOwn(CONSOLE_ASSETS, name) ? CONSOLE_ASSETS[name] : undefined;
  const dir = consoleAssetsDir();
  if (type === undefined || dir === undefined) return undefined;
  return { body: await readFile(join(dir, name)), type };
}
