/**
 * The jsonfile store's one client per process: a directory of JSON files, shared by the target, the query
 * API and the health probe. Each file is replaced whole (written beside, then renamed over), so a reader
 * sees the old file or the new one, never half of one. Writes are serialized through `exclusive`: one
 * process owns the directory.
 *
 * Values Prism keeps that JSON has no type for are tagged: bigint as {"$bigint": "12"}, Date as
 * {"$date": "2024-05-01T10:00:00.000Z"}.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class JsonFileClient {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly directory: string) {}

  /** Runs `work` after every earlier exclusive work finished (a read-modify-write is then atomic). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async read<T>(file: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.pathOf(file), 'utf8'), revive) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write(file: string, value: unknown): Promise<void> {
    const target = this.pathOf(file);
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.tmp`;
    await writeFile(temporary, JSON.stringify(value, tag));
    await rename(temporary, target);
  }

  async remove(file: string): Promise<void> {
    await rm(this.pathOf(file), { force: true });
  }

  async ensureDirectory(): Promise<void> {
    await mkdir(this.directory, { recursive: true });
  }

  /** Rejects when the directory is missing or not writable. */
  async probe(): Promise<void> {
    await access(this.directory, constants.W_OK);
  }

  private pathOf(file: string): string {
    return path.join(this.directory, file);
  }
}

function tag(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  if (typeof original === 'bigint') return { $bigint: original.toString() };
  if (original instanceof Date) return { $date: original.toISOString() };
  return value;
}

function revive(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$bigint') return BigInt((value as { $bigint: string }).$bigint);
    if (keys.length === 1 && keys[0] === '$date') return new Date((value as { $date: string }).$date);
  }
  return value;
}
