/**
 * Issue #12, item 2: one broken definition file (an undefined YAML alias, an alias bomb, a name Prism
 * reserves) stopped the whole app from starting. The catalog must skip it, list it as broken with its
 * errors, and run the others.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProjectionCatalog } from './projection-catalog';

const ROOT = join(__dirname, '..', '..');

describe('loadProjectionCatalog with broken files', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'prism-catalog-'));
    copyFileSync(join(ROOT, 'projections', 'order-summary.yaml'), join(folder, 'order-summary.yaml'));
    for (const broken of [
      'yaml-alias-undefined',
      'yaml-alias-bomb',
      'reserved-index-meta',
      'encoding-utf16-bom',
    ])
      copyFileSync(join(ROOT, 'test', 'dsl', 'broken', `${broken}.yaml`), join(folder, `${broken}.yaml`));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('runs the valid definition and lists every broken file with its name and errors', () => {
    const catalog = loadProjectionCatalog({ paths: [folder], definitions: [] });
    expect(catalog.projections.map((projection) => projection.name)).toEqual(['order_summary']);
    expect(catalog.invalidFiles).toBe(4);
    const broken = new Map(catalog.broken.map((entry) => [entry.file.split('/').pop(), entry]));
    expect(broken.get('reserved-index-meta.yaml')).toMatchObject({
      name: 'reserved_index_meta',
      errors: [expect.stringContaining('error reserved-name target.index: "meta" is reserved')],
    });
    expect(broken.get('yaml-alias-undefined.yaml')?.errors).toEqual([
      expect.stringMatching(
        /yaml-alias-undefined\.yaml:11:13 error yaml-alias alias \*text_column has no anchor/,
      ),
    ]);
    expect(broken.get('yaml-alias-bomb.yaml')?.errors).toEqual([expect.stringContaining('alias bomb')]);
    expect(broken.get('encoding-utf16-bom.yaml')?.errors).toEqual([expect.stringContaining('is UTF-16')]);
  });
});
