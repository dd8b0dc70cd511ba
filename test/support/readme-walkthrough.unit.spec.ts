import { extractShellBlocks, rewritePort } from './readme-walkthrough';

const markdown = [
  '# Title',
  '```bash',
  'echo not in the section',
  '```',
  '## Walk',
  'Some text.',
  '<!-- walkthrough: skip (already installed) -->',
  '',
  '```bash',
  'npm ci',
  '```',
  '<!-- walkthrough: background -->',
  '```bash',
  'npm start &',
  '```',
  '<!-- walkthrough: stop -->',
  'Text after a marker cancels it.',
  '```bash',
  'echo one',
  '## not a heading inside a fence',
  '```',
  '```text',
  'sample output',
  '```',
  '### A subsection stays in the section',
  '```sh',
  'echo two',
  '```',
  '## Next section',
  '```bash',
  'echo not either',
  '```',
].join('\n');

describe('extractShellBlocks', () => {
  it('takes the bash blocks of one section, in order, with the marker right before each', () => {
    expect(extractShellBlocks(markdown, 'Walk')).toEqual([
      { index: 0, line: 9, mode: 'skip', note: '(already installed)', code: 'npm ci' },
      { index: 1, line: 13, mode: 'background', note: '', code: 'npm start &' },
      { index: 2, line: 18, mode: 'run', note: '', code: 'echo one\n## not a heading inside a fence' },
      { index: 3, line: 26, mode: 'run', note: '', code: 'echo two' },
    ]);
  });

  it('names a missing section', () => {
    expect(() => extractShellBlocks(markdown, 'Nope')).toThrow('no "## Nope" section');
  });
});

describe('rewritePort', () => {
  it('points localhost:3000 and 127.0.0.1:3000 at the port of the run, and nothing else', () => {
    expect(rewritePort('curl localhost:3000/x 127.0.0.1:3000 localhost:30001 :3000', 41234)).toBe(
      'curl localhost:41234/x 127.0.0.1:41234 localhost:30001 :3000',
    );
  });
});
