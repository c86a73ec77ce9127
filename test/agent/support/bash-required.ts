// Child-process entry for the CLAW_SANDBOX=require test: runs one Bash call with bubblewrap required, on a PATH
// where bwrap cannot be found, and prints the tool's output as JSON.
import { realpathSync } from 'node:fs';
import { ALL_TOOLS, createSessionState } from '../../../src/agent/index.js';

const [worktree = '', command = 'true'] = process.argv.slice(2);
const bash = ALL_TOOLS.find((tool) => tool.name === 'Bash');
if (bash === undefined) throw new Error('no Bash tool');
const output = await bash.run(bash.input.parse({ command }), {
  worktree: realpathSync(worktree),
  signal: new AbortController().signal,
  session: createSessionState(),
  sandbox: { bubblewrap: 'require' },
});
process.stdout.write(JSON.stringify(output));
