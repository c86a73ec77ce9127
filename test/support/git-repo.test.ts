import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createBareRemote, createTempRepo, git, makeTempDir } from './git-repo.js';

describe('temp git repo builder', () => {
  it('creates a repo with an initial commit of the given files', async () => {
    const repo = await createTempRepo({ files: { 'src/a.ts': 'export const a = 1;\n' } });

    expect(await readFile(path.join(repo.dir, 'src/a.ts'), 'utf8')).toBe('export const a = 1;\n');
    expect(await repo.git(['log', '--format=%s'])).toBe('initial commit');
    expect(await repo.git(['symbolic-ref', '--short', 'HEAD'])).toBe('main');
    await repo.cleanup();
  });

  it('commits further changes and returns the new SHA', async () => {
    const repo = await createTempRepo({ files: { 'a.txt': 'one\n' } });
    const first = await repo.head();

    const second = await repo.commit('change a', { 'a.txt': 'two\n' });

    expect(second).toMatch(/^[0-9a-f]{40}$/);
    expect(second).not.toBe(first);
    expect(await repo.git(['show', '--format=', '--name-only', second])).toBe('a.txt');
    await repo.cleanup();
  });

  it('pushes into a bare remote that can be cloned over file://', async () => {
    const repo = await createTempRepo({ files: { 'README.md': '# hi\n' } });
    const remote = await createBareRemote(repo);
    const clone = await makeTempDir();

    await git(clone, ['clone', '--quiet', remote.url, 'copy']);

    expect(await readFile(path.join(clone, 'copy', 'README.md'), 'utf8')).toBe('# hi\n');
    expect(remote.url).toMatch(/^file:\/\//);
    await Promise.all([repo.cleanup(), remote.cleanup()]);
  });
});
