#!/usr/bin/env node
/** Entry point of `prism` (npm run prism -- <command>). */
import { processIo } from './cli-io';
import { createProgram } from './program';

createProgram(processIo)
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  });
