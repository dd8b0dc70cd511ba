/**
 * `<VAR>_FILE`, the Docker and Kubernetes secrets convention: a secret may be given as the path of a file
 * that holds it, so the value never sits in the process environment, a compose file or `ps e` output.
 * Only the variables marked `secret` in env.schema.ts accept it.
 *
 * A problem names the variable and the path, never the file's content (it is the secret).
 */
import { readFileSync } from 'node:fs';

export const SECRET_FILE_SUFFIX = '_FILE';

export interface SecretFileProblem {
  /** The secret's own variable (e.g. PRISM_API_KEYS for PRISM_API_KEYS_FILE). */
  readonly variable: string;
  readonly problem: string;
}

export interface ResolvedSecrets {
  /** The environment with every `<VAR>_FILE` replaced by `<VAR>` holding the file's content. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly problems: readonly SecretFileProblem[];
}

export type ReadSecretFile = (path: string) => string;

const readUtf8: ReadSecretFile = (path) => readFileSync(path, 'utf8');

export function resolveSecretFiles(
  env: Readonly<Record<string, string | undefined>>,
  secretVariables: readonly string[],
  readFile: ReadSecretFile = readUtf8,
): ResolvedSecrets {
  const resolved: Record<string, string | undefined> = { ...env };
  const problems: SecretFileProblem[] = [];
  for (const variable of secretVariables) {
    const fileVariable = `${variable}${SECRET_FILE_SUFFIX}`;
    const file = env[fileVariable]?.trim();
    if (file === undefined || file === '') continue;
    if (env[variable] !== undefined && env[variable] !== '') {
      problems.push({ variable, problem: `both ${variable} and ${fileVariable} are set; set only one` });
      continue;
    }
    try {
      // Secret files are usually written by `echo` or a mounted Secret: one trailing line break is not
      // part of the value.
      resolved[variable] = readFile(file).replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push({ variable, problem: `${fileVariable}=${file} cannot be read (${code})` });
    }
  }
  return { env: resolved, problems };
}
