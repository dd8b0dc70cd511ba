/** Where CLI commands write: the terminal in `prism`, a buffer in tests. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Working directory paths are resolved against and reported relative to. */
  readonly cwd: string;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
};

export const DEFAULT_PROJECTIONS_FOLDER = 'projections';
