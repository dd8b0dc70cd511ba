/**
 * No Docker engine runs here, so the production image is checked as text (issue #18): it runs as a
 * non-root user, its HEALTHCHECK needs no curl (the slim base has none) and points at a script the build
 * really emits, and it starts Node in exec form so SIGTERM reaches it.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
/** Instructions of the last stage (the image that runs), continuation lines joined. */
const finalStage = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split(/^FROM /m)
  .at(-1)!
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const instruction = (name: string) => finalStage.filter((line) => line.startsWith(`${name} `));

describe('Dockerfile (production image)', () => {
  it('runs as a non-root user', () => {
    const users = instruction('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^USER (root|0)(:|$)/);
  });

  it('has a HEALTHCHECK that runs a script the build emits, with node and no curl or wget', () => {
    const [healthcheck] = instruction('HEALTHCHECK');
    expect(healthcheck).toBeDefined();
    expect(healthcheck).not.toMatch(/curl|wget/);
    const script = /"node", "dist\/([^"]+)\.js"/.exec(healthcheck!)?.[1];
    expect(script).toBeDefined();
    expect(fs.existsSync(path.join(root, 'src', `${script}.ts`))).toBe(true);
  });

  it('starts Node in exec form so SIGTERM reaches Prism itself', () => {
    expect(instruction('CMD').at(-1)).toBe('CMD ["node", "dist/main.js"]');
  });

  it('copies only what runs into the final image: no sources, no dev tooling', () => {
    const copied = instruction('COPY').join('\n');
    expect(copied).not.toMatch(/\bsrc\b|tsconfig|\btest\b/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
  });
});
