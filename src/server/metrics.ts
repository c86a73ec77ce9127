// The process's Prometheus registry (one per process) and what feeds it: small observer callbacks the other
// modules call without knowing prom-client, and queue counts and redaction findings read at scrape time.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobOutcomeEvent, ModelUsageEvent } from '../jobs/index.js';
import type { Logger } from '../lib/index.js';
import type { FindingCounter } from '../undercover/index.js';
import type { NodeHandler } from './health-handler.js';

/** What the queue gauges need from a BullMQ Queue. */
export interface CountableQueue {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

export interface GitCommandSample {
  command: string;
  durationMs: number;
}

export interface ClawMetrics {
  readonly registry: Registry;
  /** A webhook delivery's event name and what became of it (enqueued, ignored, duplicate, …). */
  readonly onWebhook: (event: string, outcome: string) => void;
  readonly onJobOutcome: (event: JobOutcomeEvent) => void;
  readonly onUsage: (event: ModelUsageEvent) => void;
  readonly onGitCommand: (sample: GitCommandSample) => void;
  /** Redaction findings are read from the process's counter at scrape time. */
  watchFindings(findings: Pick<FindingCounter, 'snapshot'>): void;
  /** Queue depth and active jobs are read with getJobCounts at scrape time; a later queue of the same name replaces it. */
  watchQueues(queues: readonly CountableQueue[]): void;
  /** Serves GET /metrics in the Prometheus text format. */
  readonly handler: NodeHandler;
  scrape(): Promise<string>;
}

export interface ClawMetricsOptions {
  logger?: Logger;
  /** Node's default metrics (CPU, memory, event loop, GC), prefixed `claw_`; on by default. */
  defaultMetrics?: boolean;
  /** How long a scrape waits for Redis before it leaves the queue gauges out. */
  queueTimeoutMs?: number;
}

const QUEUE_STATES = [
  'waiting',
  'prioritized',
  'delayed',
  'paused',
  'waiting-children',
  'active',
  'completed',
  'failed',
] as const;
const WAITING_STATES = ['waiting', 'prioritized', 'delayed', 'paused'] as const;
// Jobs take seconds to tens of minutes; git commands milliseconds to minutes.
const JOB_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];
const GIT_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
// Only git's own subcommand names become label values; anything else is "other".
const GIT_COMMAND = /^[a-z][a-z-]{0,31}$/;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createClawMetrics(options: ClawMetricsOptions = {}): ClawMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: 'claw_' });
  const registers = [registry];
  const queueTimeoutMs = options.queueTimeoutMs ?? 2000;
  const queues = new Map<string, CountableQueue>();
  const findingSources: Pick<FindingCounter, 'snapshot'>[] = [];

  const webhooks = new Counter({
    name: 'claw_webhooks_total',
    help: 'Webhook deliveries by event and outcome.',
    labelNames: ['event', 'outcome'] as const,
    registers,
  });
  const jobs = new Counter({
    name: 'claw_jobs_total',
    help: 'Job attempts by kind and outcome (completed, failed, retrying, cancelled, interrupted).',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  const jobDuration = new Histogram({
    name: 'claw_job_duration_seconds',
    help: 'How long job attempts ran, by kind and outcome.',
    labelNames: ['kind', 'outcome'] as const,
    buckets: JOB_BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: 'claw_model_tokens_total',
    help: 'Model tokens by model, installation and kind (input, output, cache_read, cache_write).',
    labelNames: ['model', 'installation', 'kind'] as const,
    registers,
  });
  const cost = new Counter({
    name: 'claw_model_cost_usd_total',
    help: 'Model cost in US dollars by model and installation, from the price table.',
    labelNames: ['model', 'installation'] as const,
    registers,
  });
  const git = new Histogram({
    name: 'claw_git_duration_seconds',
    help: 'How long git commands ran, by subcommand.',
    labelNames: ['command'] as const,
    buckets: GIT_BUCKETS,
    registers,
  });
  new Counter({
    name: 'claw_redactions_total',
    help: 'Redaction findings by rule and exit (github-api, log, …); never the matched text.',
    labelNames: ['rule', 'exit'] as const,
    registers,
    collect() {
      this.reset();
      for (const source of findingSources)
        for (const { rule, exit, count } of source.snapshot()) this.inc({ rule, exit }, count);
    },
  });

  // One read of every queue per scrape, shared by the gauges below.
  let counting: Promise<Map<string, Record<string, number>>> | undefined;
  const countQueues = () =>
    (counting ??= (async () => {
      const counts = new Map<string, Record<string, number>>();
      await Promise.all(
        [...queues.values()].map(async (queue) => {
          try {
            counts.set(
              queue.name,
              await withTimeout(queue.getJobCounts(...QUEUE_STATES), queueTimeoutMs),
            );
          } catch (error) {
            options.logger?.warn(
              { err: error, queue: queue.name },
              'metrics: could not count the queue; its gauges are left out of this scrape',
            );
          }
        }),
      );
      return counts;
    })().finally(() => {
      counting = undefined;
    }));
  const queueGauge = (
    name: string,
    help: string,
    labelNames: readonly ('queue' | 'state')[],
    fill: (gauge: Gauge<'queue' | 'state'>, queue: string, counts: Record<string, number>) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        const counts = await countQueues();
        this.reset();
        for (const [queue, byState] of counts) fill(this, queue, byState);
      },
    });
  queueGauge(
    'claw_queue_depth',
    'Jobs waiting to run (waiting, prioritized, delayed, paused), by queue.',
    ['queue'],
    (gauge, queue, counts) =>
      gauge.set(
        { queue },
        WAITING_STATES.reduce((sum, state) => sum + (counts[state] ?? 0), 0),
      ),
  );
  queueGauge(
    'claw_queue_active_jobs',
    'Jobs running now, by queue.',
    ['queue'],
    (gauge, queue, counts) => gauge.set({ queue }, counts.active ?? 0),
  );
  queueGauge(
    'claw_queue_jobs',
    'Jobs by queue and BullMQ state (completed and failed as kept by retention).',
    ['queue', 'state'],
    (gauge, queue, counts) => {
      for (const state of QUEUE_STATES) gauge.set({ queue, state }, counts[state] ?? 0);
    },
  );

  const scrape = () => registry.metrics();
  return {
    registry,
    onWebhook: (event, outcome) => webhooks.inc({ event, outcome }),
    onJobOutcome: ({ kind, outcome, durationMs }) => {
      jobs.inc({ kind, outcome });
      jobDuration.observe({ kind, outcome }, durationMs / 1000);
    },
    onUsage: ({ model, installationId, usage, costUsd }) => {
      const labels = { model, installation: String(installationId ?? 'unknown') };
      const byKind = {
        input: usage.inputTokens,
        output: usage.outputTokens,
        cache_read: usage.cacheReadTokens,
        cache_write: usage.cacheWriteTokens,
      };
      for (const [kind, count] of Object.entries(byKind))
        if (count > 0) tokens.inc({ ...labels, kind }, count);
      if (costUsd > 0) cost.inc(labels, costUsd);
    },
    onGitCommand: ({ command, durationMs }) =>
      git.observe({ command: GIT_COMMAND.test(command) ? command : 'other' }, durationMs / 1000),
    watchFindings: (findings) => {
      if (!findingSources.includes(findings)) findingSources.push(findings);
    },
    watchQueues: (list) => {
      for (const queue of list) queues.set(queue.name, queue);
    },
    scrape,
    handler: async (request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD'))
        return false;
      try {
        const body = await scrape();
        response.writeHead(200, {
          'content-type': registry.contentType,
          'cache-control': 'no-store',
        });
        response.end(request.method === 'HEAD' ? undefined : body);
      } catch (error) {
        options.logger?.error({ err: error }, 'metrics scrape failed');
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('metrics scrape failed\n');
      }
      return true;
    },
  };
}
