/**
 * README "Use Prism in your own NestJS app" runs as written: its `<!-- nest-app: <file> -->` blocks are
 * written out as a team's app (importing `@prism/platform`, resolved to src/index.ts here; the packed
 * tarball is test/consumer's job), started, and its curl calls replayed, answers compared with the
 * `# ->` lines below them.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';

const ROOT = path.join(__dirname, '..', '..');
const SECTION = 'Use Prism in your own NestJS app';

interface Section {
  /** file -> source, from the `<!-- nest-app: file -->` blocks. */
  readonly files: ReadonlyMap<string, string>;
  /** The shell blocks' lines. */
  readonly shell: readonly string[];
}

function readSection(markdown: string): Section {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${SECTION}`);
  if (start < 0) throw new Error(`README.md has no "## ${SECTION}" section`);
  const files = new Map<string, string>();
  const shell: string[] = [];
  let file: string | undefined;
  for (let index = start + 1; index < lines.length && !/^## /.test(lines[index]!); index++) {
    const marker = /^<!-- nest-app: (\S+) -->$/.exec(lines[index]!.trim());
    if (marker) file = marker[1];
    const fence = /^```(\w+)$/.exec(lines[index]!);
    if (!fence) continue;
    const body: string[] = [];
    for (index++; lines[index] !== '```'; index++) body.push(lines[index]!);
    if (fence[1] === 'bash') shell.push(...body);
    else if (file !== undefined) files.set(file, `${body.join('\n')}\n`);
    file = undefined;
  }
  return { files, shell };
}

describe('README: use Prism in your own NestJS app', () => {
  const section = readSection(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-readme-app-'));
  const cwd = process.cwd();
  let app: INestApplication | undefined;

  beforeAll(() => {
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(directory, 'node_modules'), 'dir');
    for (const [file, source] of section.files) {
      mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
      writeFileSync(path.join(directory, file), source);
    }
    // The app's relative paths (./data/...) are the app's own folder.
    process.chdir(directory);
  });

  afterAll(async () => {
    await app?.close();
    process.chdir(cwd);
    rmSync(directory, { recursive: true, force: true });
  });

  it('has the app module, its aggregate and its projection', () => {
    expect([...section.files.keys()].sort()).toEqual([
      'src/app.module.ts',
      'src/note.aggregate.ts',
      'src/notes.projection.ts',
    ]);
  });

  it('starts, writes a note and reads the view, answering what the README shows', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AppModule } = require(path.join(directory, 'src', 'app.module.ts')) as { AppModule: Type };
    app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    const base = await app.getUrl();
    const calls = section.shell.flatMap((line, index) => {
      const call = /^curl .*?'?localhost:3000([^ ']+)'?/.exec(line);
      const answer = /^# -> (.*)$/.exec(section.shell[index + 1] ?? '');
      if (!call || !answer) return [];
      const body = / -d '([^']+)'/.exec(line)?.[1];
      return [{ path: call[1]!, body, expected: JSON.parse(answer[1]!) as unknown }];
    });
    expect(calls.map((call) => call.path)).toEqual(['/notes', '/views/notes/n1?after=1']);
    for (const call of calls) {
      const response =
        call.body === undefined
          ? await request(base).get(call.path)
          : await request(base).post(call.path).set('content-type', 'application/json').send(call.body);
      expect({ path: call.path, body: response.body as unknown }).toEqual({
        path: call.path,
        body: call.expected,
      });
    }
  });
});
