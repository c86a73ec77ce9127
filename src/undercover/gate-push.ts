// The push gate, run by the workspace before `git push`: commit messages, the added lines of the diff and the
// branch name are scanned; a credential or known secret stops the push with a message that names file, line
// and rule, never the value. `prepareCommitMessage` rewrites deny terms and attribution before committing.
import { execFile } from 'node:child_process';
import { SecretInDiffError, type Logger, type SecretLocation } from '../lib/index.js';
import type { FindingListener } from './finding-counter.js';
import type { Redactor, RuleCategory } from './types.js';

/** The empty tree, for a branch that has no base yet: everything on it is "added". */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export interface GatePushOptions {
  cwd: string;
  /** The commit the branch started from (e.g. the base branch's SHA); undefined scans the whole history of head. */
  base: string | undefined;
  /** The commit or ref about to be pushed; defaults to HEAD. */
  head?: string;
  branch: string;
  redactor: Redactor;
  onFinding?: FindingListener;
  /** Each finding is logged with its rule and location, never its value. */
  logger?: Pick<Logger, 'warn'>;
  /**
   * Categories that block when found in added lines (commit messages and branch names block on any finding).
   * Default: credentials, known secrets and deny terms, since configured internal terms must never leave either.
   */
  blockOn?: readonly RuleCategory[];
}

export interface GatePushResult {
  /** Findings that did not block: generic rules and deny terms in added lines. */
  warnings: SecretLocation[];
  commitsScanned: number;
  filesScanned: number;
}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'core.quotePath=false', ...args],
      { cwd, maxBuffer: 512 * 1024 * 1024, env: { ...process.env, GIT_PAGER: 'cat', LC_ALL: 'C' } },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(`git ${args[0]} failed: ${stderr.trim() || error.message}`, { cause: error }),
          );
        else resolve(stdout);
      },
    );
  });
}

function describe(location: SecretLocation): string {
  if (location.where === 'branch-name') return `the branch name (${location.rule})`;
  if (location.where === 'commit-message') {
    return `the message of commit ${location.commit?.slice(0, 12) ?? '?'}, line ${location.line} (${location.rule})`;
  }
  return `${location.file ?? '?'} line ${location.line} (${location.rule})`;
}

export function secretInDiffMessage(blocked: readonly SecretLocation[]): string {
  const shown = blocked.slice(0, 10).map((location) => `- ${describe(location)}`);
  if (blocked.length > 10) shown.push(`- and ${blocked.length - 10} more`);
  return [
    'The push was blocked because the changes contain what looks like a credential or a protected value:',
    ...shown,
    'Remove the value from the commit (rewrite the commit, do not just add a fix on top) and push again. If it is a real credential, rotate it.',
  ].join('\n');
}

/** Scans what a push would publish; throws SecretInDiffError when something must not leave. */
export async function gatePush(options: GatePushOptions): Promise<GatePushResult> {
  const { cwd, redactor } = options;
  const head = options.head ?? 'HEAD';
  const blockOn = new Set<RuleCategory>(
    options.blockOn ?? ['provider', 'known-secret', 'deny-term'],
  );
  const blocked: SecretLocation[] = [];
  const warnings: SecretLocation[] = [];
  const emit = (location: SecretLocation, exit: 'push' | 'commit-message') => {
    options.logger?.warn(
      { ...location },
      'undercover found something in what the push would publish',
    );
    options.onFinding?.({
      exit,
      rule: location.rule,
      location: location.file ?? location.where,
      line: location.line,
      column: location.column,
    });
  };

  const branchFindings = redactor.redact(options.branch).findings;
  for (const finding of branchFindings) {
    const location: SecretLocation = {
      where: 'branch-name',
      rule: finding.rule,
      line: 1,
      column: finding.column,
    };
    blocked.push(location);
    emit(location, 'push');
  }

  const range = options.base === undefined ? head : `${options.base}..${head}`;
  const log = await git(cwd, ['log', '--format=%H%x1f%B%x1e', range]);
  const commits = log
    .split('\x1e')
    .map((entry) => entry.replace(/^\n/, ''))
    .filter((entry) => entry.includes('\x1f'));
  for (const entry of commits) {
    const [sha, message = ''] = entry.split('\x1f') as [string, string?];
    for (const finding of redactor.redact(message).findings) {
      const location: SecretLocation = {
        where: 'commit-message',
        commit: sha,
        rule: finding.rule,
        line: finding.line,
        column: finding.column,
      };
      // Messages should have gone through prepareCommitMessage; anything left would be published as is.
      (redactor.categoryOf(finding.rule) === 'generic' ? warnings : blocked).push(location);
      emit(location, 'commit-message');
    }
  }

  const diff = await git(cwd, [
    'diff',
    '--no-color',
    '--no-ext-diff',
    '--no-renames',
    '--unified=0',
    options.base ?? EMPTY_TREE,
    head,
  ]);
  const findings = redactor.scanPatch(diff);
  for (const finding of findings) {
    const location: SecretLocation = {
      where: 'diff',
      file: finding.file,
      rule: finding.rule,
      line: finding.line,
      column: finding.column,
    };
    (blockOn.has(redactor.categoryOf(finding.rule)) ? blocked : warnings).push(location);
    emit(location, 'push');
  }

  if (blocked.length > 0) throw new SecretInDiffError(secretInDiffMessage(blocked), blocked);
  const files = new Set(findings.map((finding) => finding.file));
  return { warnings, commitsScanned: commits.length, filesScanned: files.size };
}

export interface PreparedCommitMessage {
  message: string;
  /** Rules that rewrote the message (deny terms, attribution, secrets), for the log. */
  rules: string[];
}

/** Rewrites a commit message before `git commit`: deny terms, attribution (per policy) and secrets are removed. */
export function prepareCommitMessage(
  message: string,
  redactor: Redactor,
  onFinding?: FindingListener,
): PreparedCommitMessage {
  const result = redactor.redact(message);
  for (const finding of result.findings) {
    onFinding?.({
      exit: 'commit-message',
      rule: finding.rule,
      location: 'message',
      line: finding.line,
      column: finding.column,
    });
  }
  const text = result.text.trim() === '' ? 'Update files' : result.text;
  return { message: text, rules: [...new Set(result.findings.map((finding) => finding.rule))] };
}
