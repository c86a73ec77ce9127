// /metrics end to end: a signed delivery to the real `claw web`, the job it stores run by the real `claw worker`
// (CLAW_METRICS_PORT) with a handler that uses a real workspace and the real agent run, then both scrapes.
import { jest } from '@jest/globals';
import nock from 'nock';
import { createScriptedProvider, DEFAULT_LIMITS } from '../../src/agent/index.js';
import { createProcessRedaction } from '../../src/cli/process-redaction.js';
import { startWorker, type RunningWorker } from '../../src/cli/worker.js';
import { DEFAULT_REPO_CONFIG, parseEnv } from '../../src/config/index.js';
import {
  AgentActivity,
  runFlowAgent,
  type FlowDeps,
  type HandlerRegistry,
} from '../../src/jobs/index.js';
import { createLogger, createLogSink } from '../../src/lib/index.js';
import { createClawMetrics } from '../../src/server/index.js';
import { createRedactor } from '../../src/undercover/index.js';
import { API } from '../github/support/github.js';
import {
  deliver,
  freePort,
  startTestWeb,
  WEBHOOK_SECRET,
  type TestWeb,
} from '../app/support/web.js';
import { useNock } from '../support/nock.js';
import { useTestRedis } from '../support/redis.js';
import { webhookExample } from '../support/webhooks.js';
import {
  createManager,
  createUpstream,
  jobOptions,
  removeCaches,
  type Upstream,
} from '../workspace/helpers.js';

jest.setTimeout(60_000);

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The value of one sample in Prometheus text, matched by name and a subset of its labels. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value))
      return Number(match[3]);
  }
  return undefined;
}

async function scrape(url: string): Promise<{ status: number; type: string; text: string }> {
  const response = await fetch(`${url}/metrics`);
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function pullRequestOpened(): Payload {
  const payload = webhookExample<Payload>('pull_request', 'opened');
  payload.repository.owner.login = 'octo-org';
  payload.repository.name = 'metered';
  payload.installation = { id: 42 };
  payload.number = 5;
  payload.pull_request.number = 5;
  payload.pull_request.draft = false;
  payload.pull_request.head.sha = 'a'.repeat(40);
  payload.sender = { login: 'alice', type: 'User' };
  return payload;
}

describe('metrics', () => {
  const redis = useTestRedis(import.meta.url);
  useNock();
  let web: TestWeb;
  let worker: RunningWorker;
  let upstream: Upstream;
  const workerLines: string[] = [];

  beforeAll(async () => {
    upstream = await createUpstream();
    web = await startTestWeb({ redisUrl: redis().url, prefix: redis().prefix });
    const env = parseEnv({
      WEBHOOK_SECRET,
      REDIS_URL: redis().url,
      CLAW_REDIS_PREFIX: redis().prefix.replace(/:+$/, ''),
      HOST: '127.0.0.1',
      CLAW_METRICS_PORT: String(await freePort()),
    });
    // What `claw worker` builds in cli.ts: the redacting logger, and one registry that reads its finding counter.
    const redaction = await createProcessRedaction({
      env,
      name: 'worker',
      sink: createLogSink({ write: (line: string) => workerLines.push(line) }),
    });
    const metrics = createClawMetrics({ logger: redaction.logger, defaultMetrics: false });
    metrics.watchFindings(redaction.findings);
    const { manager } = await createManager({ onGitCommand: metrics.onGitCommand });
    const deps: FlowDeps = {
      workspaces: manager,
      createProvider: () => createScriptedProvider({ turns: [] }),
      limits: DEFAULT_LIMITS,
      redactionPolicy: {},
      transcriptDir: `${manager.layout.root}/transcripts`,
      sandbox: { bubblewrap: 'off' },
      onUsage: metrics.onUsage,
    };
    // A review handler cut down to what the metrics see: a workspace (git), one agent run (tokens), a log line.
    const handlers: HandlerRegistry = {
      'review-pr': async (_payload, ctx) => {
        const workspace = await deps.workspaces.prepare(
          jobOptions(upstream, { jobId: ctx.jobId, signal: ctx.signal }),
        );
        try {
          await runFlowAgent(deps, ctx, {
            provider: createScriptedProvider(
              {
                turns: [
                  {
                    content: [{ type: 'text', text: 'Looks good.' }],
                    stop_reason: 'end_turn',
                    usage: { input_tokens: 1200, output_tokens: 40, cache_read_input_tokens: 300 },
                  },
                ],
              },
              { model: 'claude-sonnet-4-5' },
            ),
            workdir: workspace.dir,
            task: 'Review the change.',
            systemPrompt: 'You review code.',
            config: DEFAULT_REPO_CONFIG,
            redactor: createRedactor({}),
            activity: new AgentActivity(ctx.clock.now(), () => ctx.clock.now()),
            network: false,
          });
        } finally {
          await workspace.dispose();
        }
        ctx.logger.info({ note: `the secret is ${WEBHOOK_SECRET}` }, 'a careless log line');
        return { summary: 'Reviewed' };
      },
    };
    worker = await startWorker({
      env,
      logger: redaction.logger,
      handlers,
      metrics,
      octokitFactory: {
        forInstallation: () => Promise.reject(new Error('this test makes no GitHub calls')),
      },
    });
  });

  afterAll(async () => {
    await worker?.close();
    await web?.close();
    await upstream?.cleanup();
    await removeCaches();
  });

  it('counts the delivery, the job, its git commands, tokens, cost and redactions once a job ran', async () => {
    nock(API)
      .post('/app/installations/42/access_tokens')
      .reply(201, {
        token: 'ghs_metricsTestInstallationToken12345678',
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
      });
    nock(API)
      .get('/repos/octo-org/metered/contents/.github%2Fclaw.yml')
      .reply(200, {
        type: 'file',
        sha: 'm1',
        content: Buffer.from('review:\n  auto: true\n').toString('base64'),
      });
    const ignoredComment = webhookExample<Payload>('issue_comment', 'created');
    ignoredComment.comment.body = 'no mention here';
    const workerUrl = `http://127.0.0.1:${worker.metricsPort}`;

    const delivery = await deliver(web, 'pull_request', pullRequestOpened());
    const ignored = await deliver(web, 'issue_comment', ignoredComment);
    const labels = { kind: 'review-pr', outcome: 'completed' };
    const workerText = await until(async () => {
      const { text } = await scrape(workerUrl);
      return sample(text, 'claw_jobs_total', labels) === 1 ? text : undefined;
    });
    const webScrape = await scrape(web.url);

    expect([delivery.status, ignored.status]).toEqual([200, 200]);
    expect(webScrape.status).toBe(200);
    expect(webScrape.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(
      sample(webScrape.text, 'claw_webhooks_total', {
        event: 'pull_request',
        outcome: 'enqueued',
      }),
    ).toBe(1);
    expect(
      sample(webScrape.text, 'claw_webhooks_total', { event: 'issue_comment', outcome: 'ignored' }),
    ).toBe(1);
    expect(sample(webScrape.text, 'claw_queue_depth', { queue: 'jobs' })).toBe(0);
    expect(sample(webScrape.text, 'claw_queue_jobs', { queue: 'jobs', state: 'completed' })).toBe(
      1,
    );
    expect(sample(webScrape.text, 'claw_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sample(workerText, 'claw_job_duration_seconds_count', labels)).toBe(1);
    expect(sample(workerText, 'claw_git_duration_seconds_count', { command: 'fetch' })).toBe(1);
    expect(
      sample(workerText, 'claw_git_duration_seconds_count', { command: 'worktree' }),
    ).toBeGreaterThanOrEqual(1);
    const tokens = { model: 'claude-sonnet-4-5', installation: '42' };
    expect(sample(workerText, 'claw_model_tokens_total', { ...tokens, kind: 'input' })).toBe(1200);
    expect(sample(workerText, 'claw_model_tokens_total', { ...tokens, kind: 'output' })).toBe(40);
    expect(sample(workerText, 'claw_model_tokens_total', { ...tokens, kind: 'cache_read' })).toBe(
      300,
    );
    expect(sample(workerText, 'claw_model_cost_usd_total', tokens)).toBeGreaterThan(0);
    expect(
      sample(workerText, 'claw_redactions_total', { rule: 'known-secret', exit: 'log' }),
    ).toBeGreaterThanOrEqual(1);
    expect(workerText).not.toContain(WEBHOOK_SECRET);
    expect(workerLines.join('\n')).not.toContain(WEBHOOK_SECRET);
  });

  it('serves /healthz next to /metrics on the worker port, and nothing else', async () => {
    const base = `http://127.0.0.1:${worker.metricsPort}`;

    const health = await fetch(`${base}/healthz`);
    const other = await fetch(`${base}/admin/queues`);

    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(other.status).toBe(404);
  });

  it('opens no port for a worker without CLAW_METRICS_PORT', async () => {
    const quiet = await startWorker({
      env: parseEnv({
        REDIS_URL: redis().url,
        CLAW_REDIS_PREFIX: redis().prefix.replace(/:+$/, ''),
      }),
      logger: createLogger({ level: 'silent', sink: createLogSink({ write: () => undefined }) }),
      handlers: {},
      octokitFactory: { forInstallation: () => Promise.reject(new Error('unused')) },
    });
    const port = quiet.metricsPort;
    await quiet.close();

    expect(port).toBeUndefined();
  });
});

describe('createClawMetrics', () => {
  it('leaves the queue gauges out of a scrape when a queue does not answer in time', async () => {
    const metrics = createClawMetrics({ defaultMetrics: false, queueTimeoutMs: 50 });
    metrics.watchQueues([
      { name: 'jobs', getJobCounts: () => new Promise(() => undefined) },
      { name: 'acks', getJobCounts: () => Promise.resolve({ waiting: 2, delayed: 1, active: 3 }) },
    ]);

    const text = await metrics.scrape();

    expect(sample(text, 'claw_queue_depth', { queue: 'jobs' })).toBeUndefined();
    expect(sample(text, 'claw_queue_depth', { queue: 'acks' })).toBe(3);
    expect(sample(text, 'claw_queue_active_jobs', { queue: 'acks' })).toBe(3);
  });

  it('labels git commands by subcommand only, and anything unexpected as other', async () => {
    const metrics = createClawMetrics({ defaultMetrics: false });

    metrics.onGitCommand({ command: 'fetch', durationMs: 20 });
    metrics.onGitCommand({ command: '--upload-pack=/tmp/x', durationMs: 5 });
    const text = await metrics.scrape();

    expect(sample(text, 'claw_git_duration_seconds_count', { command: 'fetch' })).toBe(1);
    expect(sample(text, 'claw_git_duration_seconds_count', { command: 'other' })).toBe(1);
  });
});
