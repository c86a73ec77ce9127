// The built Action bundle, run as the runner runs it, against the GitHub emulator and the scripted Anthropic
// server: a mention becomes a pull request, events that ask for nothing end neutral with the reason logged, and
// a pull_request run in review mode posts one review.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ScriptedTurn } from '../../src/agent/index.js';
import {
  startAnthropicServer,
  type AnthropicServer,
  type GitHubEmulator,
} from '../../src/dev/index.js';
import { startEmulator } from '../dev/emulator-fixture.js';
import { pushAsHuman } from '../jobs/handlers/support/flow-harness.js';
import { webhookExample } from '../support/webhooks.js';
import {
  ADDER_FILES,
  arrangeIssue,
  bareGit,
  FIXED_ADD,
  fixTheTestScript,
  PR_TITLE,
} from '../e2e/support/adder-scenario.js';
import {
  mintInstallationToken,
  runActionStep,
  type Repo,
  type StepResult,
} from './support/action-step.js';

const MODEL_KEY = 'action-test-anthropic-key';

let emulator: GitHubEmulator;
let tmp: string;
const models: AnthropicServer[] = [];

beforeAll(async () => {
  emulator = await startEmulator();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'claw-action-'));
});
afterAll(async () => {
  await Promise.all(models.map((model) => model.stop()));
  await emulator.close();
  await rm(tmp, { recursive: true, force: true });
});
afterEach(() => emulator.assertNoViolations());

async function startModel(turns: ScriptedTurn[]): Promise<AnthropicServer> {
  const model = await startAnthropicServer({ script: turns, apiKey: MODEL_KEY });
  models.push(model);
  return model;
}

const modelInputs = (model: AnthropicServer) => ({
  anthropic_api_key: MODEL_KEY,
  anthropic_base_url: model.url,
  bot_login: `${emulator.app.slug}[bot]`,
});

/** A recorded `issue_comment.created` payload, re-pointed at an emulator issue and comment; no installation, as in Actions. */
function issueCommentEvent(repo: Repo, issueNumber: number, body: string, user: string) {
  const issue = emulator.state.issue(repo.id, issueNumber)!;
  const comment = emulator.createComment(repo, issueNumber, { body, user });
  const example = webhookExample<Record<string, unknown>>('issue_comment', 'created');
  const { pull_request: _notAPull, ...recordedIssue } = example.issue as Record<string, unknown>;
  const context = emulator.eventContext(repo, user);
  const event: Record<string, unknown> = {
    ...example,
    issue: { ...recordedIssue, ...emulator.issuePayload(repo, issue) },
    comment: { ...(example.comment as object), ...emulator.commentPayload(repo, comment) },
    repository: { ...(example.repository as object), ...context.repository },
    sender: context.sender,
  };
  delete event.installation;
  return event;
}

/** Lines of the step's stdout that are workflow commands of one kind. */
const commands = (step: StepResult, kind: string) =>
  step.stdout.split('\n').filter((line) => line.startsWith(`::${kind}::`));

const describeStep = (step: StepResult) =>
  `exit ${step.code}\n--- stdout\n${step.stdout}\n--- stderr\n${step.stderr}`;

describe('the Action bundle (node action/dist/index.js)', () => {
  it('opens a pull request for an @claw mention on an issue and reports it in outputs and the summary', async () => {
    const { repo, issue } = await arrangeIssue(emulator, 'adder-action');
    const model = await startModel(fixTheTestScript(0));
    const token = await mintInstallationToken(emulator, repo);
    const event = issueCommentEvent(repo, issue.number, '@claw fix the failing test', 'alice');

    const step = await runActionStep({
      emulator,
      repo,
      tmp,
      eventName: 'issue_comment',
      event,
      token,
      inputs: modelInputs(model),
    });

    // The log is part of the expectation so that a failed step shows it.
    expect({ code: step.code, log: step.code === 0 ? '' : describeStep(step) }).toEqual({
      code: 0,
      log: '',
    });
    const pulls = emulator.pullRequests(repo);
    expect(pulls).toHaveLength(1);
    const pull = pulls[0]!;
    expect(pull.title).toBe(PR_TITLE);
    expect(pull.body).toContain(`Fixes #${issue.number}`);
    expect(step.outputs).toMatchObject({
      conclusion: 'success',
      pr_number: String(pull.number),
      pr_url: `${emulator.url}/octo/adder-action/pull/${pull.number}`,
      branch_name: pull.pull!.headRef,
      turns: '4',
    });
    expect(step.outputs.branch_name).toMatch(/^claw\/issue-\d+-/);
    expect(Number(step.outputs.cost_usd)).toBeGreaterThan(0);
    expect(step.outputs.transcript_path?.startsWith(step.runnerTemp)).toBe(true);
    expect(await bareGit(repo, ['show', `${step.outputs.branch_name}:src/add.js`])).toBe(FIXED_ADD);
    expect(step.summary).toContain('### ✅ Claw finished');
    expect(step.summary).toContain(`| Pull request | [#${pull.number}](${step.outputs.pr_url}) |`);
    expect(step.summary).toMatch(/\| Tokens \| [\d,]+ \|/);
    expect(step.summary).toMatch(/\| Cost \| \$0\.\d{4} \|/);
    // The tracking comment and 👀, as the App posts them.
    const tracking = emulator.comments(repo, issue.number).filter((c) => c.user.type === 'Bot');
    expect(tracking).toHaveLength(1);
    expect(tracking[0]!.body).toContain(`Opened pull request #${pull.number}`);
    // The token reaches the log only inside the mask command that hides it.
    expect(step.stdout.split('\n').filter((line) => line.includes(token))).toEqual([
      `::add-mask::${token}`,
    ]);
    expect(step.stdout.split('\n').filter((line) => line.includes(MODEL_KEY))).toEqual([
      `::add-mask::${MODEL_KEY}`,
    ]);
    expect(model.requests.length).toBe(4);
  }, 60_000);

  it('opens an issue holding the prompt on workflow_dispatch, then a pull request that fixes it', async () => {
    const repo = await emulator.seedRepo({ owner: 'octo', name: 'dispatched', files: ADDER_FILES });
    const model = await startModel(fixTheTestScript(0));
    const token = await mintInstallationToken(emulator, repo);
    const example = webhookExample<Record<string, unknown>>('workflow_dispatch');
    const context = emulator.eventContext(repo, 'alice');
    const event = {
      ...example,
      repository: { ...(example.repository as object), ...context.repository },
      sender: context.sender,
    };
    delete (event as Record<string, unknown>).installation;
    const prompt = 'Make the failing test in test.js pass.\n\nadd() should add.';

    const step = await runActionStep({
      emulator,
      repo,
      tmp,
      eventName: 'workflow_dispatch',
      event,
      token,
      inputs: { ...modelInputs(model), prompt },
    });

    expect({ code: step.code, log: step.code === 0 ? '' : describeStep(step) }).toEqual({
      code: 0,
      log: '',
    });
    const issues = emulator.issues(repo);
    expect(issues.map((i) => [i.title, i.user.login])).toEqual([
      ['Make the failing test in test.js pass.', `${emulator.app.slug}[bot]`],
    ]);
    expect(issues[0]!.body).toContain(prompt);
    const pulls = emulator.pullRequests(repo);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.body).toContain(`Fixes #${issues[0]!.number}`);
    expect(step.outputs).toMatchObject({
      conclusion: 'success',
      pr_number: String(pulls[0]!.number),
    });
    const task = JSON.stringify(model.requests[0]!.body);
    expect(task).toContain('@alice asked: Make the failing test in test.js pass.');
  }, 30_000);

  it('ends neutral on workflow_dispatch without a prompt, saying what is missing', async () => {
    const repo = await emulator.seedRepo({ owner: 'octo', name: 'no-prompt', files: ADDER_FILES });
    const token = await mintInstallationToken(emulator, repo);
    const context = emulator.eventContext(repo, 'alice');
    const event = {
      ...webhookExample<Record<string, unknown>>('workflow_dispatch'),
      repository: context.repository,
      sender: context.sender,
    };

    const step = await runActionStep({
      emulator,
      repo,
      tmp,
      eventName: 'workflow_dispatch',
      event,
      token,
    });

    expect(step.code).toBe(0);
    expect(step.outputs.conclusion).toBe('skipped');
    expect(commands(step, 'notice')).toEqual([
      '::notice::Claw skipped this event: a workflow_dispatch run has no issue or pull request to work from; set the "prompt" input to give it a task',
    ]);
    expect(emulator.issues(repo)).toHaveLength(0);
  }, 30_000);

  it('ends neutral with the reason logged when the comment does not mention Claw', async () => {
    const repo = await emulator.seedRepo({ owner: 'octo', name: 'quiet', files: ADDER_FILES });
    const issue = emulator.createIssue(repo, { title: 'A question', user: 'alice' });
    emulator.setPermission(repo, 'alice', 'write');
    const token = await mintInstallationToken(emulator, repo);
    const event = issueCommentEvent(repo, issue.number, 'Thanks, that helps!', 'alice');

    const step = await runActionStep({
      emulator,
      repo,
      tmp,
      eventName: 'issue_comment',
      event,
      token,
    });

    expect(step.code).toBe(0);
    expect(step.outputs.conclusion).toBe('skipped');
    expect(commands(step, 'notice')).toEqual([
      '::notice::Claw skipped this event: the comment does not mention @claw',
    ]);
    expect(step.summary).toContain('⏭️ Claw skipped this event');
    expect(emulator.comments(repo, issue.number)).toHaveLength(1);
    expect(emulator.requests().some((r) => r.method !== 'GET' && r.path.includes('/quiet/'))).toBe(
      false,
    );
  }, 30_000);

  it('skips with the reason when the commenter has no write access', async () => {
    const repo = await emulator.seedRepo({ owner: 'octo', name: 'guarded', files: ADDER_FILES });
    const issue = emulator.createIssue(repo, { title: 'Please fix', user: 'mallory' });
    emulator.setPermission(repo, 'mallory', 'read');
    const token = await mintInstallationToken(emulator, repo);
    const event = issueCommentEvent(repo, issue.number, '@claw fix it', 'mallory');

    const step = await runActionStep({
      emulator,
      repo,
      tmp,
      eventName: 'issue_comment',
      event,
      token,
      actor: 'mallory',
    });

    expect(step.code).toBe(0);
    expect(step.outputs.conclusion).toBe('skipped');
    expect(commands(step, 'notice')).toEqual([
      '::notice::Claw skipped this event: mallory has read access to octo/guarded; only people with write access can ask Claw to work',
    ]);
    expect(emulator.pullRequests(repo)).toHaveLength(0);
    expect(emulator.comments(repo, issue.number)).toHaveLength(1);
  }, 30_000);

  it('posts one review on a pull_request event in review mode', async () => {
    const repo = await emulator.seedRepo({ owner: 'octo', name: 'reviewed', files: ADDER_FILES });
    await pushAsHuman(
      repo,
      'feature',
      { 'src/add.js': 'export function add(a, b) {\n  return a + b + 0;\n}\n' },
      'Tidy add',
      'main',
    );
    const issue = await emulator.createPullRequest(repo, {
      title: 'Tidy add',
      head: 'feature',
      user: 'bob',
    });
    const model = await startModel([
      {
        content: [
          {
            type: 'tool_use',
            id: 'r1',
            name: 'SubmitReview',
            input: {
              summary: 'Adds a no-op `+ 0`.',
              verdict: 'comment',
              comments: [
                { path: 'src/add.js', line: 2, side: 'RIGHT', body: '`+ 0` does nothing.' },
              ],
            },
          },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 900, output_tokens: 50 },
      },
    ]);
    const token = await mintInstallationToken(emulator, repo);
    const example = webhookExample<Record<string, unknown>>('pull_request', 'opened');
    const context = emulator.eventContext(repo, 'bob');
    const event: Record<string, unknown> = {
      ...example,
      number: issue.number,
      pull_request: {
        ...(example.pull_request as object),
        ...(await emulator.pullRequestPayload(repo, issue)),
      },
      repository: { ...(example.repository as object), ...context.repository },
      sender: context.sender,
    };
    delete event.installation;

    const step = await runActionStep({
      emulator,
      repo,
      tmp,
      eventName: 'pull_request',
      event,
      token,
      inputs: { ...modelInputs(model), mode: 'review' },
      actor: 'bob',
    });

    expect(step.code).toBe(0);
    expect(step.outputs.conclusion).toBe('success');
    const reviews = emulator.reviews(repo, issue.number);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.body).toContain('Adds a no-op `+ 0`.');
    expect(emulator.reviewComments(repo, issue.number).map((c) => [c.path, c.line])).toEqual([
      ['src/add.js', 2],
    ]);
    expect(step.outputs.pr_number).toBe(String(issue.number));
    expect(step.outputs.turns).toBe('1');
    expect(step.summary).toContain('reviewing this pull request');
  }, 30_000);
});
