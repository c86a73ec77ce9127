import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  botIdentity,
  branchName,
  hasClawPrefix,
  MAX_BRANCH_LENGTH,
} from '../../src/workspace/index.js';

const run = promisify(execFile);

async function isValidRef(name: string): Promise<boolean> {
  try {
    await run('git', ['check-ref-format', `refs/heads/${name}`]);
    return true;
  } catch {
    return false;
  }
}

describe('branchName', () => {
  it('builds claw/issue-<n>-<slug> from the title', () => {
    expect(branchName({ issueNumber: 42, title: 'Fix the login redirect!' })).toBe(
      'claw/issue-42-fix-the-login-redirect',
    );
  });

  it('cuts long titles at a word boundary within 60 characters', () => {
    const name = branchName({
      issueNumber: 1234,
      title:
        'When the user opens the settings page twice the second render crashes with a null pointer',
    });
    expect(name.length).toBeLessThanOrEqual(MAX_BRANCH_LENGTH);
    expect(name).toBe('claw/issue-1234-when-the-user-opens-the-settings-page-twice');
  });

  it('folds accents, drops symbols and emoji, and stays a valid git ref', async () => {
    const name = branchName({
      issueNumber: 7,
      title: '  Crème brûlée 🍮 / ../.lock: café~^:?*[\\ ',
    });
    expect(name).toBe('claw/issue-7-creme-brulee-lock-cafe');
    expect(await isValidRef(name)).toBe(true);
  });

  it('falls back to the issue number alone when the title has no usable word', () => {
    expect(branchName({ issueNumber: 9, title: '🔥🔥' })).toBe('claw/issue-9');
  });

  it('cuts a single overlong word instead of dropping it', () => {
    const name = branchName({ issueNumber: 5, title: 'a'.repeat(100) });
    expect(name).toBe(`claw/issue-5-${'a'.repeat(MAX_BRANCH_LENGTH - 'claw/issue-5-'.length)}`);
    expect(name).toHaveLength(MAX_BRANCH_LENGTH);
  });

  it('uses the configured prefix', () => {
    expect(branchName({ issueNumber: 3, title: 'Add docs', prefix: 'bots/claw/' })).toBe(
      'bots/claw/issue-3-add-docs',
    );
    expect(hasClawPrefix('bots/claw/issue-3-add-docs', 'bots/claw/')).toBe(true);
    expect(hasClawPrefix('feature/x', 'bots/claw/')).toBe(false);
  });

  it('rejects a non-positive issue number', () => {
    expect(() => branchName({ issueNumber: 0, title: 'x' })).toThrow(RangeError);
  });
});

describe('botIdentity', () => {
  it('uses the <slug>[bot] name and the id+slug noreply address', () => {
    expect(botIdentity({ slug: 'claw-dev', userId: 41898282 })).toEqual({
      name: 'claw-dev[bot]',
      email: '41898282+claw-dev[bot]@users.noreply.github.com',
    });
  });

  it('rejects something that is not a slug', () => {
    expect(() => botIdentity({ slug: 'evil"; rm', userId: 1 })).toThrow(RangeError);
  });
});
