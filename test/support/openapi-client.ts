/**
 * A typed client generated from a running Prism's OpenAPI document, the way a team would make one
 * (issue #20): openapi-typescript turns /docs-json into `paths` types, a script drives the API through
 * openapi-fetch with them, tsc type-checks the script (strict), and tsx runs it. Every response the script
 * gets is recorded (an openapi-fetch middleware) and printed as JSON for the test to check against the
 * document (openapi-responses.ts).
 *
 * openapi-typescript and openapi-fetch are devDependencies; `PRISM_OPENAPI_TOOLS` may name another folder
 * whose node_modules has them (to try this without installing them into the repository).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ObservedResponse } from './openapi-responses';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface ClientTools {
  /** openapi-typescript's CLI script. */
  readonly generator: string;
  /** The openapi-fetch package folder. */
  readonly fetchPackage: string;
}

/** Where openapi-typescript and openapi-fetch are installed, or undefined when they are not. */
export function findClientTools(): ClientTools | undefined {
  const roots = [REPO_ROOT, process.env.PRISM_OPENAPI_TOOLS].filter((root): root is string => !!root);
  for (const root of roots) {
    const modules = path.join(root, 'node_modules');
    const generator = path.join(modules, 'openapi-typescript', 'bin', 'cli.js');
    const fetchPackage = path.join(modules, 'openapi-fetch');
    if (existsSync(generator) && existsSync(fetchPackage)) return { generator, fetchPackage };
  }
  return undefined;
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  return new Promise<string>((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${path.basename(args[0] ?? command)} failed:\n${stdout}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/** A temporary project: the document, its generated types, a driving script and a strict tsconfig. */
export class GeneratedClientProject {
  constructor(
    private readonly directory: string,
    private readonly tools: ClientTools,
  ) {}

  /** Writes the document and generates `schema.d.ts` from it with openapi-typescript. */
  async generate(document: unknown): Promise<void> {
    mkdirSync(path.join(this.directory, 'node_modules'), { recursive: true });
    symlinkSync(this.tools.fetchPackage, path.join(this.directory, 'node_modules', 'openapi-fetch'), 'dir');
    writeFileSync(path.join(this.directory, 'openapi.json'), JSON.stringify(document));
    await run(process.execPath, [this.tools.generator, 'openapi.json', '-o', 'schema.d.ts'], {
      cwd: this.directory,
    });
  }

  /** Type-checks the script against the generated types; rejects with tsc's errors. */
  async typeCheck(script: string): Promise<void> {
    writeFileSync(path.join(this.directory, 'drive.ts'), script);
    writeFileSync(
      path.join(this.directory, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          lib: ['es2022', 'dom', 'dom.iterable'],
          types: ['node'],
          typeRoots: [path.join(REPO_ROOT, 'node_modules', '@types')],
          skipLibCheck: true,
        },
        files: ['drive.ts', 'schema.d.ts'],
      }),
    );
    await run(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'],
      {
        cwd: this.directory,
      },
    );
  }

  /** Runs the script (tsx) with `env`; resolves with the responses it recorded. */
  async drive(env: NodeJS.ProcessEnv): Promise<ObservedResponse[]> {
    const tsx = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const stdout = await run(process.execPath, [tsx, 'drive.ts'], { cwd: this.directory, env });
    return JSON.parse(stdout) as ObservedResponse[];
  }
}
