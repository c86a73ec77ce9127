// Child process for the lock test: holds the shared lock for a while and logs when it enters and leaves.
import { appendFile } from 'node:fs/promises';
import { withFileLock } from '../../src/workspace/index.js';

const [lockFile, logFile, name] = process.argv.slice(2) as [string, string, string];
for (let round = 0; round < 3; round++) {
  await withFileLock(lockFile, async () => {
    await appendFile(logFile, `${name}+\n`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await appendFile(logFile, `${name}-\n`);
  });
}
