// Child process for the cross-process test: one full job (prepare, commit, push, dispose) on a shared cache dir.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { botIdentity, createWorkspaceManager } from '../../src/workspace/index.js';

const [cacheDir, cloneUrl, branch] = process.argv.slice(2) as [string, string, string];
const manager = await createWorkspaceManager({ cacheDir });
const job = await manager.prepare({
  repository: { owner: 'octo', repo: 'demo', cloneUrl },
  jobId: branch,
  branch,
  author: botIdentity({ slug: 'claw-test', userId: 1 }),
});
await writeFile(path.join(job.dir, `${branch.replace(/\//g, '-')}.txt`), `${process.pid}\n`);
await job.commit(`work on ${branch}`);
const result = await job.push();
await job.dispose();
process.stdout.write(`pushed ${result.branch} ${result.head}\n`);
