/**
 * Lints an OpenAPI document with Redocly's `recommended` ruleset (@redocly/openapi-core, the engine of
 * `redocly lint`), the standard strictness a third-party tool applies (issue #20).
 *
 * The package ships ESM only and Jest on Node 20 cannot import ESM, so the lint runs in a child Node
 * process (which loads it natively): the document goes in on stdin, the problems come back as JSON.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

export interface LintProblem {
  readonly severity: 'error' | 'warn';
  readonly ruleId: string;
  readonly message: string;
  /** JSON pointer into the document, e.g. `#/paths/~1orders/post/responses`. */
  readonly pointer: string;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');

const LINT_SCRIPT = `
import { createConfig, lintFromString } from '@redocly/openapi-core';
let source = '';
for await (const chunk of process.stdin) source += chunk;
const config = await createConfig({ extends: ['recommended'] });
const problems = await lintFromString({ source, absoluteRef: '/openapi.json', config });
process.stdout.write(JSON.stringify(problems.map((problem) => ({
  severity: problem.severity,
  ruleId: problem.ruleId,
  message: problem.message,
  pointer: problem.location[0]?.pointer ?? '',
}))));
`;

export function lintOpenApi(document: unknown): Promise<LintProblem[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--input-type=module', '--eval', LINT_SCRIPT],
      // From the repository root, so the bare import resolves in its node_modules.
      { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`the OpenAPI lint failed to run: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as LintProblem[]);
      },
    );
    child.stdin?.end(JSON.stringify(document));
  });
}

/** One line per problem, for a failure message a reader can act on. */
export function describeProblems(problems: readonly LintProblem[]): string {
  return problems
    .map((problem) => `${problem.severity} ${problem.ruleId} at ${problem.pointer}: ${problem.message}`)
    .join('\n');
}
