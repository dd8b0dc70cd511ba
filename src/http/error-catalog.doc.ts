/**
 * The error catalog as a Markdown table, kept in ./README.md between the markers below; a unit test fails
 * while the table's rows and the catalog differ. `npx tsx src/http/error-catalog.doc.ts` rewrites
 * the table (and formats it with Prettier, as `npm run lint` expects).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CATALOG } from './error-catalog';

export const CATALOG_DOC = path.join(__dirname, 'README.md');
export const TABLE_START = '<!-- error-catalog:start (generated from error-catalog.ts) -->';
export const TABLE_END = '<!-- error-catalog:end -->';

export function errorCatalogTable(): string {
  const rows = ERROR_CATALOG.map(
    (entry) =>
      `| \`${entry.code}\` | ${entry.status} | ${entry.surfaces.join(', ')} | ${entry.meaning.replace(/\|/g, '\\|')} |`,
  );
  return ['| `error` | Status | Where | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The document's text with its table section replaced by the current catalog. */
export function withCurrentTable(document: string): string {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  if (start < 0 || end < start)
    throw new Error(`${CATALOG_DOC} has no ${TABLE_START} ... ${TABLE_END} section`);
  return `${document.slice(0, start + TABLE_START.length)}\n\n${errorCatalogTable()}\n\n${document.slice(end)}`;
}

/** The rows of the document's table as cells (code without backticks, status, where, meaning). */
export function tableRowsOf(document: string): string[][] {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  return document
    .slice(start + TABLE_START.length, end)
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2) // header and separator
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) =>
          cell
            .trim()
            .replace(/^`(.*)`$/, '$1')
            .replace(/\\\|/g, '|'),
        ),
    );
}

async function rewriteDocument(): Promise<void> {
  const prettier = await import('prettier');
  const text = withCurrentTable(readFileSync(CATALOG_DOC, 'utf8'));
  const options = (await prettier.resolveConfig(CATALOG_DOC)) ?? {};
  writeFileSync(CATALOG_DOC, await prettier.format(text, { ...options, filepath: CATALOG_DOC }));
  process.stdout.write(`${CATALOG_DOC}: ${ERROR_CATALOG.length} codes\n`);
}

if (require.main === module) {
  rewriteDocument().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
