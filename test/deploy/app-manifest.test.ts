// app.yml must ask for exactly what the code uses: every subscribed event, and the permissions of every
// GitHub API call and git push in src/, nothing more (an unused permission is a needless grant on every install).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApplicationFunctionOptions, Probot } from 'probot';
import { isMap, isSeq, parseDocument, type Pair, type Scalar } from 'yaml';
import { createClawApp } from '../../src/app.js';
import { HANDLED_EVENTS } from '../../src/github/index.js';
import type { JobQueue } from '../../src/jobs/index.js';

type Level = 'read' | 'write';
interface Manifest {
  default_events: string[];
  default_permissions: Record<string, Level>;
}

/** GitHub delivers these to every App whatever it subscribes to; a manifest cannot list them. */
const ALWAYS_DELIVERED = new Set(['installation', 'installation_repositories']);

/** The App permission each event needs (GitHub's "Permissions required for GitHub Apps"). */
const EVENT_PERMISSION: Record<string, string> = {
  issues: 'issues',
  issue_comment: 'issues',
  pull_request: 'pull_requests',
  pull_request_review: 'pull_requests',
  pull_request_review_comment: 'pull_requests',
};

/** What each REST method Claw calls needs; `null` for calls that need no repository permission. */
const METHOD_PERMISSION: Record<string, [string, Level] | null> = {
  'apps.getAuthenticated': null,
  'users.getByUsername': null,
  'issues.create': ['issues', 'write'],
  'issues.createComment': ['issues', 'write'],
  'issues.deleteComment': ['issues', 'write'],
  'issues.updateComment': ['issues', 'write'],
  'issues.get': ['issues', 'read'],
  'issues.getComment': ['issues', 'read'],
  'issues.listComments': ['issues', 'read'],
  'reactions.createForIssue': ['issues', 'write'],
  'reactions.createForIssueComment': ['issues', 'write'],
  'reactions.createForPullRequestReviewComment': ['pull_requests', 'write'],
  'pulls.create': ['pull_requests', 'write'],
  'pulls.update': ['pull_requests', 'write'],
  'pulls.createReview': ['pull_requests', 'write'],
  'pulls.createReplyForReviewComment': ['pull_requests', 'write'],
  'pulls.get': ['pull_requests', 'read'],
  'pulls.list': ['pull_requests', 'read'],
  'pulls.listFiles': ['pull_requests', 'read'],
  'pulls.getReview': ['pull_requests', 'read'],
  'pulls.listReviews': ['pull_requests', 'read'],
  'pulls.getReviewComment': ['pull_requests', 'read'],
  'pulls.listReviewComments': ['pull_requests', 'read'],
  'repos.get': ['metadata', 'read'],
  'repos.getCollaboratorPermissionLevel': ['metadata', 'read'],
  'repos.getContent': ['contents', 'read'],
  'repos.compareCommitsWithBasehead': ['contents', 'read'],
  'checks.listForRef': ['checks', 'read'],
};

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    // src/dev/ is the GitHub emulator and the demo, not the App.
    if (entry.isDirectory() && full !== path.join('src', 'dev'))
      files.push(...(await sourceFiles(full)));
    else if (entry.isFile() && entry.name.endsWith('.ts')) files.push(full);
  }
  return files;
}

/** Every `rest.<namespace>.<method>` the App's code calls (direct calls and paginate arguments). */
async function restMethodsUsed(): Promise<Set<string>> {
  const methods = new Set<string>();
  for (const file of await sourceFiles('src')) {
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(/\brest\.(\w+)\.(\w+)\b/g))
      methods.add(`${match[1]}.${match[2]}`);
  }
  return methods;
}

/** The events createClawApp subscribes to, captured from its `probot.on` calls. */
function subscribedEvents(): string[] {
  const events: string[] = [];
  const log = { child: () => log, debug() {}, info() {}, warn() {}, error() {} };
  const probot = {
    log,
    on: (names: string | string[]) => events.push(...(Array.isArray(names) ? names : [names])),
  };
  // No options: the health routes are skipped, so the stub queue is never touched.
  void createClawApp({ queue: {} as JobQueue, botLogin: 'claw[bot]' })(
    probot as unknown as Probot,
    undefined as unknown as ApplicationFunctionOptions,
  );
  return events;
}

describe('app.yml', () => {
  let text: string;
  let manifest: Manifest;
  beforeAll(async () => {
    text = await readFile('app.yml', 'utf8');
    manifest = parseDocument(text).toJS() as Manifest;
  });

  it('subscribes to every event the app listens to, except those GitHub always delivers', () => {
    const subscribed = subscribedEvents();
    const needed = subscribed.filter((event) => !ALWAYS_DELIVERED.has(event));

    expect(subscribed).toEqual(expect.arrayContaining([...ALWAYS_DELIVERED]));
    expect([...manifest.default_events].sort()).toEqual([...new Set(needed)].sort());
    for (const event of manifest.default_events) expect(ALWAYS_DELIVERED.has(event)).toBe(false);
  });

  it('covers every event action the triggers handle', () => {
    const handled = new Set(HANDLED_EVENTS.map((key) => key.split('.')[0]!));

    expect([...handled].sort()).toEqual([...manifest.default_events].sort());
  });

  it('asks for exactly the permissions of the API calls and pushes in src/', async () => {
    const methods = await restMethodsUsed();
    const pushes = (await readFile('src/workspace/job-workspace.ts', 'utf8')).includes("'push'");
    const needed: Record<string, Level> = {};
    const grant = (permission: string, level: Level) => {
      if (needed[permission] !== 'write') needed[permission] = level;
    };

    for (const method of methods) {
      // A new API call fails here until its permission is mapped (and app.yml agrees).
      expect({ method, mapped: method in METHOD_PERMISSION }).toEqual({ method, mapped: true });
      const permission = METHOD_PERMISSION[method];
      if (permission) grant(...permission);
    }
    if (pushes) grant('contents', 'write');
    for (const event of manifest.default_events) grant(EVENT_PERMISSION[event]!, 'read');

    expect(methods.size).toBeGreaterThan(10);
    expect(pushes).toBe(true);
    expect(manifest.default_permissions).toEqual(needed);
  });

  it('explains every event and permission in a comment', () => {
    const document = parseDocument(text);
    const events = document.get('default_events');
    const permissions = document.get('default_permissions');
    if (!isSeq(events) || !isMap(permissions)) throw new Error('unexpected app.yml shape');

    const uncommented = [
      ...(events.items as Scalar[]).filter((item) => !item.comment).map((item) => item.value),
      ...(permissions.items as Pair<Scalar, Scalar>[])
        .filter((pair) => !pair.value?.comment)
        .map((pair) => pair.key.value),
    ];

    expect(uncommented).toEqual([]);
  });
});
