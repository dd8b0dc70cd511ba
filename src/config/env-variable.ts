/**
 * The vocabulary of one environment variable, shared by the core's table (env.schema.ts) and the tables
 * the store modules contribute (src/stores/<store>/<store>.connection.ts): its zod schema (with its
 * default), the hint shown when it is wrong, and whether it is a secret (never printed, and also readable
 * from a file named by `<VAR>_FILE`, secret-files.ts).
 *
 * This file imports nothing from the registry, so a store module can use it without an import cycle.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export interface EnvVariable {
  readonly schema: z.ZodType;
  /** How a user fixes a bad value: "Set <VAR> to <hint>." */
  readonly hint: string;
  readonly secret?: true;
}

export type EnvVariables = Readonly<Record<string, EnvVariable>>;

/** The parsed values of a table of variables, typed by their schemas. */
export type ParsedVariables<V extends EnvVariables> = { readonly [K in keyof V]: z.output<V[K]['schema']> };

/** One bad variable: the raw value (undefined when missing) and what is wrong with it. */
export interface ConfigProblem {
  readonly variable: string;
  readonly value: string | undefined;
  readonly problem: string;
}

/** The environment after `<VAR>_FILE` secrets were read; empty strings count as unset (see rawValue). */
export type RawEnv = Readonly<Record<string, string | undefined>>;

/** A variable's raw value; `FOO=` in a compose file or shell means "no value". */
export function rawValue(env: RawEnv, name: string): string | undefined {
  const value = env[name];
  return value === '' ? undefined : value;
}

/** A URL with its password shown as `***` (user and host stay readable). */
export function redactUrlPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

export function urlWithScheme(schemes: readonly string[]) {
  return z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { message: `expected a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}` },
    );
}

/**
 * Reads the PEM certificate file a variable names, at start-up, so a wrong path stops the start naming the
 * variable (not at first use). Returns the PEM text, or undefined (unset, or a problem was recorded).
 */
export function readCertificateFile(
  env: RawEnv,
  variable: string,
  problems: ConfigProblem[],
): string | undefined {
  const file = rawValue(env, variable)?.trim();
  if (file === undefined) return undefined;
  try {
    const pem = readFileSync(file, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      problems.push({ variable, value: file, problem: 'the file holds no PEM certificate' });
      return undefined;
    }
    return pem;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push({ variable, value: file, problem: `cannot be read (${code})` });
    return undefined;
  }
}
