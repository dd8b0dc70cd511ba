/** The console's server side without the app: the lag/rate history and finding a definition's file. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONSOLE_ASSETS, CONSOLE_CSP, readConsoleAsset } from './console-assets';
import { findDefinitionFile, fingerprintOfSource, runningDefinitionYaml } from './definition-source';
import { StatusHistory } from './status-history';

describe('StatusHistory', () => {
  const status = (name: string, behind: string) => ({ name, behind, lagSeconds: 1, eventsPerSecond: 2 });

  it('keeps the last samples per projection, oldest first, and forgets projections that went', () => {
    const history = new StatusHistory(3);
    for (let at = 1; at <= 5; at++) history.record(at, [status('a', String(at)), status('b', '0')]);
    expect(history.of('a').map((s) => [s.at, s.behind])).toEqual([
      [3, 3],
      [4, 4],
      [5, 5],
    ]);
    history.record(6, [status('a', '0')]);
    expect(history.of('b')).toEqual([]);
  });
});

describe('definition source', () => {
  let folder: string;
  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'prism-console-defs-'));
    fs.mkdirSync(path.join(folder, 'nested'));
    fs.copyFileSync(
      path.join(__dirname, '../../projections/customer-directory.yaml'),
      path.join(folder, 'nested', 'customers.yaml'),
    );
    fs.writeFileSync(path.join(folder, 'broken.yaml'), 'name: [unclosed\n');
    fs.writeFileSync(path.join(folder, 'customers.test.yaml'), 'projection: customer_directory\n');
  });
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('finds the file by the name inside it (not by the file name), skipping data tests and broken files', () => {
    const found = findDefinitionFile([folder], 'customer_directory');
    expect(found?.file).toMatch(/nested[/\\]customers\.yaml$/);
    expect(found?.text).toContain('# Customers with their contact details');
    expect(findDefinitionFile([folder], 'nope')).toBeUndefined();
    expect(findDefinitionFile([path.join(folder, 'missing')], 'customer_directory')).toBeUndefined();
  });

  it('compiles the file to a fingerprint, or says why it does not compile', () => {
    const found = findDefinitionFile([folder], 'customer_directory')!;
    expect(fingerprintOfSource(found)).toEqual({ fingerprint: expect.any(String), problems: [] });
    const broken = fingerprintOfSource({ file: 'x.yaml', text: 'name: x\nversion: 1\n' });
    expect(broken.fingerprint).toBeUndefined();
    expect(broken.problems.length).toBeGreaterThan(0);
    expect(broken.problems[0]).toContain('x.yaml');
  });

  it('renders the running model as YAML', () => {
    expect(runningDefinitionYaml({ name: 'a', version: 1 })).toBe('name: a\nversion: 1\n');
    expect(runningDefinitionYaml(null)).toBeNull();
  });
});

describe('console assets', () => {
  it('serves only the files on its list', async () => {
    expect(Object.keys(CONSOLE_ASSETS).sort()).toEqual(['console.css', 'index.html', 'main.js']);
    for (const name of ['../package.json', '..%2Fpackage.json', 'constructor', '__proto__', 'main.ts'])
      expect(await readConsoleAsset(name)).toBeUndefined();
  });

  it('allows no inline script, no eval and no other origin', () => {
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe|\*|https?:|data:/);
  });
});
