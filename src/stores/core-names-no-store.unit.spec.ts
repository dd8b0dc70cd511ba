/**
 * The core asks the registry of store modules and names no store (issue #13): outside comments and specs,
 * no file of the core folders spells the name of a view store. A store's name belongs in its folder under
 * src/stores/ and in the registry list; everything else finds the store by the kind a definition names.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CORE = [
  'src/dsl',
  'src/core',
  'src/runtime',
  'src/admin',
  'src/config',
  'src/observability/health',
  'src/projection-host',
  'src/app.module.ts',
  'src/nest',
];
const STORE_NAMES = /elasticsearch|neo4j|postgres|sqlite/i;

/**
 * Core folders still being converted, each a `TODO` entry with what is left, so this test passes while
 * a part of issue #13 is under way. Empty since the config, wiring, admin and health parts landed: keep
 * it empty, a store name in the core is a store module's job left undone.
 */
const NOT_CONVERTED_YET: readonly string[] = [];

function sourceFiles(path: string): string[] {
  const absolute = join(ROOT, path);
  if (!statSync(absolute).isDirectory()) return [path];
  return readdirSync(absolute).flatMap((entry) => sourceFiles(join(path, entry)));
}

/** The code of a TypeScript file with its comments blanked (strings, template literals included, are kept). */
export function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    const next = text[i + 1];
    if (char === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (char === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      out += ' ';
    } else if (char === "'" || char === '"' || char === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== char) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += char;
      i++;
    }
  }
  return out;
}

function offenders(folders: readonly string[]): string[] {
  return folders
    .flatMap(sourceFiles)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .flatMap((file) =>
      withoutComments(readFileSync(join(ROOT, file), 'utf8'))
        .split('\n')
        .filter((line) => STORE_NAMES.test(line))
        .map((line) => `${relative(ROOT, join(ROOT, file))}: ${line.trim()}`),
    );
}

describe('the core names no store', () => {
  it('keeps store names out of the code of the core folders', () => {
    const converted = CORE.filter((folder) => !NOT_CONVERTED_YET.includes(folder));
    expect(offenders(converted)).toEqual([]);
  });

  it('lists only folders of the core as not converted yet', () => {
    for (const folder of NOT_CONVERTED_YET) expect(CORE).toContain(folder);
  });

  it('reads comments as comments and strings as code', () => {
    expect(withoutComments("a // neo4j\nb /* sqlite */ c 'x // y'")).toBe("a \nb   c 'x // y'");
  });
});
