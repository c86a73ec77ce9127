// CLAW_SANDBOX=require: where bubblewrap cannot start, Bash refuses with advice the model can act on and runs
// nothing. A child process gets a PATH without bwrap (jest's process.env does not reach spawned programs).
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../support/harness.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

describe('Bash with the sandbox required', () => {
  it('refuses to run a command when bubblewrap cannot start', async () => {
    const worktree = await tempDir('claw-require-');

    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(here, '../support/bash-required.ts'), worktree, 'touch ran'],
      {
        cwd: path.resolve(here, '../../..'),
        env: { PATH: '/nonexistent', HOME: process.env.HOME ?? '/tmp' },
      },
    );

    expect(JSON.parse(stdout)).toEqual({
      content: expect.stringMatching(
        /^Bash is disabled here: this deployment runs shell commands only inside the bubblewrap sandbox/,
      ),
      isError: true,
    });
    expect(await readdir(worktree)).toEqual([]);
  });
});
