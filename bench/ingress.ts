// `npm run bench -- ingress [--seconds N] [--rate R]`: signed issue_comment.created webhooks over loopback HTTP
// to `claw web` (full path: config, permission, 👀, tracking comment, Redis enqueue) and to a bare Probot app
// with a no-op handler, in the same run; then job pickup latency with an idle worker.
// Every server runs in its own child process; GitHub is a local stub (GHE_HOST), never the internet.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sign } from '@octokit/webhooks-methods';
import { Redis } from 'ioredis';
import { Probot, Server } from 'probot';
import { startWeb } from '../src/cli/web.js';
import { parseEnv } from '../src/config/index.js';
import { createClawOctokit, createOctokitFactory, githubBaseUrl } from '../src/github/index.js';
import {
  createAckWorker,
  createBullQueue,
  createJobWorker,
  createRedisConnection,
  type HandlerRegistry,
  type ResolveIssuePayload,
} from '../src/jobs/index.js';
import { createLogger, createLogSink } from '../src/lib/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SECRET = 'bench-webhook-secret';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = () =>
  createLogger({
    level: (process.env.BENCH_LOG_LEVEL as 'warn' | undefined) ?? 'warn',
    sink: createLogSink(process.stderr),
  });

// ---------- child roles ----------

function githubStub(): http.Server {
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  let commentId = 1;
  let handled = 0;
  return http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = req.url ?? '';
      if (url === '/__count') return json(res, 200, { handled });
      handled += 1;
      if (req.method === 'POST' && /\/app\/installations\/\d+\/access_tokens$/.test(url))
        return json(res, 201, {
          token: 'ghs_benchtoken',
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
        });
      if (req.method === 'GET' && url.includes('/contents/'))
        return json(res, 404, { message: 'Not Found' });
      if (req.method === 'GET' && url.endsWith('/permission'))
        return json(res, 200, { permission: 'admin', role_name: 'admin' });
      if (req.method === 'POST' && url.endsWith('/reactions'))
        return json(res, 201, { id: 1, content: 'eyes' });
      if (req.method === 'POST' && url.endsWith('/comments'))
        return json(res, 201, { id: commentId++ });
      if (req.method === 'DELETE') return json(res, 204, {});
      return json(res, 404, { message: `stub has no ${req.method} ${url}` });
    });
  });
}

async function serveRole(role: string, port: number): Promise<void> {
  const privateKey = process.env.BENCH_PRIVATE_KEY ?? '';
  const prefix = process.env.BENCH_PREFIX ?? '{claw-bench}';
  const say = (line: string) => process.stdout.write(`${line}\n`);
  // A clean exit on a signal lets `--cpu-prof` write its profile.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
  if (role === 'stub') {
    const server = githubStub();
    server.keepAliveTimeout = 60_000;
    server.listen(port, '127.0.0.1', () => say(`READY ${port}`));
    return;
  }
  if (role === 'claw') {
    const env = parseEnv({
      APP_ID: '1',
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      REDIS_URL,
      CLAW_REDIS_PREFIX: prefix,
      HOST: '127.0.0.1',
      PORT: String(port),
      GHE_HOST: `127.0.0.1:${process.env.BENCH_STUB_PORT ?? ''}`,
      GHE_PROTOCOL: 'http',
      LOG_LEVEL: 'warn',
    });
    // Retry and throttling off: the stub is local, and plugin-throttling's 1 s spacing of writes would measure GitHub's
    // politeness rules, not Claw (real deployments keep it on).
    await startWeb({ env, logger: quiet(), botLogin: 'claw[bot]', disableRetryAndThrottle: true });
    say(`READY ${port}`);
    return;
  }
  if (role === 'acker') {
    // What `claw worker` runs next to the job worker: 👀 + tracking comments of stored jobs, against the stub.
    const env = parseEnv({
      APP_ID: '1',
      PRIVATE_KEY: privateKey,
      REDIS_URL,
      CLAW_REDIS_PREFIX: prefix,
      GHE_HOST: `127.0.0.1:${process.env.BENCH_STUB_PORT ?? ''}`,
      GHE_PROTOCOL: 'http',
    });
    const logger = quiet();
    const attacher = createBullQueue({
      connection: createRedisConnection(REDIS_URL, 'producer'),
      prefix,
    });
    const worker = createAckWorker({
      autorun: false,
      connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
      prefix,
      octokitFactory: createOctokitFactory({
        appId: 1,
        privateKey,
        baseUrl: githubBaseUrl(env),
        Octokit: createClawOctokit({ disableRetryAndThrottle: true }),
      }),
      logger,
      attachTrackingComment: (jobId, commentId) => attacher.attachTrackingComment(jobId, commentId),
    });
    // Started on cue, so the web phases measure the web process alone, as on a deployment with separate workers.
    process.on('SIGUSR2', () => {
      worker.run().catch((error: unknown) => logger.error({ err: error }, 'ack worker stopped'));
    });
    say('READY 0');
    return;
  }
  if (role === 'bare') {
    const server = new Server({
      Probot: Probot.defaults({ appId: 1, privateKey, secret: SECRET, log: quiet() }),
      log: quiet(),
      port,
      host: '127.0.0.1',
    });
    await server.load((app) => {
      app.on('issue_comment.created', async () => undefined);
    });
    await server.start();
    say(`READY ${port}`);
    return;
  }
  if (role === 'worker') {
    // Its own prefix: the jobs the web phases stored must not sit in front of the pickup samples.
    const pickupPrefix = process.env.BENCH_PICKUP_PREFIX ?? prefix;
    const reporter = new Redis(REDIS_URL);
    const handlers: HandlerRegistry = {
      'resolve-issue': async (payload, ctx) => {
        await reporter.rpush(
          `${pickupPrefix}:bench-pickup`,
          String(Date.now() - payload.enqueuedAt),
        );
        return { summary: `picked ${ctx.jobId}` };
      },
    };
    const worker = createJobWorker({
      connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
      prefix: pickupPrefix,
      handlers,
      octokitFactory: {
        forInstallation: () => Promise.reject(new Error('no GitHub in the pickup bench')),
      },
      logger: quiet(),
      concurrency: 2,
    });
    await worker.worker.waitUntilReady();
    say('READY 0');
    return;
  }
  throw new Error(`unknown bench role ${role}`);
}

// ---------- parent ----------

interface Child {
  process: ChildProcess;
  port: number;
}

function startChild(role: string, port: number, env: Record<string, string>): Promise<Child> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(here, 'run.ts'),
      'ingress',
      '--role',
      role,
      '--port',
      String(port),
    ],
    {
      cwd: path.resolve(here, '..'),
      env: { ...process.env, ...env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /READY (\d+)/.exec(buffer);
      if (match !== null) resolve({ process: child, port: Number(match[1]) });
    });
    child.on('exit', (code) => reject(new Error(`bench child ${role} exited with ${code}`)));
  });
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

function payloadFor(i: number, mention = true): Record<string, unknown> {
  return {
    action: 'created',
    installation: { id: 4242 },
    repository: {
      id: 1,
      name: 'widgets',
      full_name: 'octo-org/widgets',
      owner: { login: 'octo-org', type: 'Organization' },
    },
    issue: {
      number: 1 + (i % 500),
      title: 'Bench issue',
      body: 'It breaks.',
      user: { login: 'alice', type: 'User' },
    },
    comment: {
      id: 10_000 + i,
      body: mention ? '@claw fix the failing test please' : 'Looks good to me, thanks!',
      user: { login: 'alice', type: 'User' },
    },
    sender: { login: 'alice', type: 'User' },
  };
}

interface Prepared {
  body: string;
  signature: string;
}

async function prepare(count: number, mention = true): Promise<Prepared[]> {
  const prepared: Prepared[] = [];
  for (let i = 0; i < count; i++) {
    const body = JSON.stringify(payloadFor(i, mention));
    prepared.push({ body, signature: await sign(SECRET, body) });
  }
  return prepared;
}

function post(port: number, delivery: Prepared): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/github/webhooks',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(delivery.body),
          'x-github-event': 'issue_comment',
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': delivery.signature,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(delivery.body);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

interface RateResult {
  offered: number;
  achieved: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Open loop: request i is due at start + i/rate whatever happened before; latency counts from when it was due. */
async function fixedRate(
  port: number,
  deliveries: Prepared[],
  rate: number,
  seconds: number,
): Promise<RateResult> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inflight.push(
      post(port, deliveries[i % deliveries.length]!).then(
        (status) => {
          if (status < 200 || status >= 300) errors += 1;
          latencies.push(performance.now() - due);
        },
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    offered: rate,
    achieved: total / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

/** Closed loop: `concurrency` requests always in flight; the throughput is the most the server sustains. */
async function saturate(
  port: number,
  deliveries: Prepared[],
  concurrency: number,
  seconds: number,
): Promise<{ rate: number; errors: number }> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  let next = 0;
  const loop = async () => {
    while (performance.now() < until) {
      const status = await post(port, deliveries[next++ % deliveries.length]!).catch(() => 0);
      if (status < 200 || status >= 300) errors += 1;
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { rate: done / ((performance.now() - started) / 1000), errors };
}

/** Waits until the stub stops receiving calls (the ack worker has posted everything); returns how long that took. */
function stubCount(stubPort: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: stubPort, path: '/__count', agent }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve((JSON.parse(body) as { handled: number }).handled));
      })
      .on('error', reject);
  });
}

async function drainAcks(stubPort: number): Promise<number> {
  const started = performance.now();
  const count = () => stubCount(stubPort);
  let last = await count();
  let stable = 0;
  while (stable < 2) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = await count();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return performance.now() - started - 400;
}

async function pickupLatency(prefix: string, jobs: number): Promise<{ p50: number; p99: number }> {
  const connection = new Redis(REDIS_URL, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
  const queue = createBullQueue({ connection, prefix });
  const key = `${prefix}:bench-pickup`;
  await connection.del(key);
  for (let i = 0; i < jobs; i++) {
    const payload: ResolveIssuePayload = {
      kind: 'resolve-issue',
      deliveryId: randomUUID(),
      installationId: 1,
      owner: 'octo-org',
      repo: 'widgets',
      number: 1 + i,
      actor: 'alice',
      source: 'comment',
      instruction: '',
      enqueuedAt: Date.now(),
    };
    await queue.enqueue(`pickup-${i}`, payload);
    // Idle worker: wait for this job to be picked before the next one.
    while ((await connection.llen(key)) <= i)
      await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const samples = (await connection.lrange(key, 0, -1)).map(Number).sort((a, b) => a - b);
  await queue.close();
  connection.disconnect();
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function cleanup(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(
      cursor,
      'MATCH',
      `${prefix.replace(/[{}]/g, '\\$&')}*`,
      'COUNT',
      1000,
    );
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

export async function bench(args: string[]): Promise<void> {
  const roleIndex = args.indexOf('--role');
  if (roleIndex >= 0) {
    await serveRole(args[roleIndex + 1] ?? '', option(args, 'port', 0));
    return;
  }
  const seconds = option(args, 'seconds', 10);
  const rate = option(args, 'rate', 200);
  const prefix = `{claw-bench-${randomUUID().slice(0, 8)}}`;
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs1',
    format: 'pem',
  }) as string;
  const env = { BENCH_PRIVATE_KEY: privateKey, BENCH_PREFIX: prefix };
  const children: Child[] = [];
  try {
    const stub = await startChild('stub', await freePort(), env);
    children.push(stub);
    const claw = await startChild('claw', await freePort(), {
      ...env,
      BENCH_STUB_PORT: String(stub.port),
    });
    const acker = await startChild('acker', 0, { ...env, BENCH_STUB_PORT: String(stub.port) });
    const bare = await startChild('bare', await freePort(), env);
    children.push(claw, acker, bare);
    const deliveries = await prepare(2000);
    const chatter = await prepare(2000, false);

    console.log(
      `ingress bench: ${seconds}s per phase, offered rate ${rate}/s, node ${process.version}, ${(await import('node:os')).cpus().length} cores`,
    );
    // Warm both (JIT, token cache, config and permission caches).
    await fixedRate(claw.port, deliveries, 100, 2);
    await fixedRate(bare.port, deliveries, 100, 2);

    // The web phases run with the ack worker paused (on a deployment it runs on worker machines); afterwards it
    // posts every queued 👀 + tracking comment to the stub, and its throughput is reported on its own.
    const clawFixed = await fixedRate(claw.port, deliveries, rate, seconds);
    const bareFixed = await fixedRate(bare.port, deliveries, rate, seconds);
    // Most comments on a busy repository do not mention Claw: the cost of looking and saying no.
    const chatterFixed = await fixedRate(claw.port, chatter, rate, seconds);
    // The machine is shared and noisy: saturate in short alternating rounds and keep each server's median.
    const rounds = 5;
    const samples = {
      claw: [] as number[],
      bare: [] as number[],
      chatter: [] as number[],
      errors: 0,
    };
    for (let round = 0; round < rounds; round++) {
      for (const [name, port, set] of [
        ['claw', claw.port, deliveries],
        ['bare', bare.port, deliveries],
        ['chatter', claw.port, chatter],
      ] as const) {
        const result = await saturate(port, set, 32, seconds / rounds);
        samples[name].push(result.rate);
        samples.errors += result.errors;
      }
    }
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const clawMax = { rate: median(samples.claw), errors: samples.errors };
    const bareMax = { rate: median(samples.bare), errors: 0 };
    const chatterMax = { rate: median(samples.chatter), errors: 0 };
    const before = await stubCount(stub.port);
    const ackStarted = performance.now();
    acker.process.kill('SIGUSR2');
    for (let i = 0; i < 500 && (await stubCount(stub.port)) === before; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const drainMs = await drainAcks(stub.port);
    const acksPosted = ((await stubCount(stub.port)) - before) / 2;
    const ackRate = acksPosted / ((performance.now() - ackStarted - 400) / 1000);

    const row = (name: string, fixed: RateResult, max: number, errors: number) =>
      `${name.padEnd(22)} ${fixed.achieved.toFixed(0).padStart(6)}/s ${fixed.p50.toFixed(2).padStart(8)} ms ${fixed.p99.toFixed(2).padStart(8)} ms ${String(fixed.errors).padStart(6)} ${max.toFixed(0).padStart(9)}/s ${String(errors).padStart(6)}`;
    console.log(
      `\n${'server'.padEnd(22)} ${'@rate'.padStart(8)} ${'p50 2xx'.padStart(11)} ${'p99 2xx'.padStart(11)} ${'errors'.padStart(6)} ${'max rate'.padStart(11)} ${'errors'.padStart(6)}`,
    );
    console.log(row('claw web', clawFixed, clawMax.rate, clawMax.errors));
    console.log(row('bare probot', bareFixed, bareMax.rate, bareMax.errors));
    console.log(row('claw web, no @', chatterFixed, chatterMax.rate, chatterMax.errors));
    console.log(
      '\nclaw web: every delivery mentions @claw: config + permission (cached; stub), Redis enqueue of the job and its acknowledgement, 2xx.',
    );
    console.log(
      `ack worker (1 process, concurrency 8): ${acksPosted.toFixed(0)} acknowledgements (👀 + tracking comment) in ${(drainMs / 1000).toFixed(1)} s = ${ackRate.toFixed(0)}/s`,
    );
    console.log(
      `max rate: median of ${rounds} alternating ${(seconds / rounds).toFixed(1)} s rounds with 32 requests in flight (claw ${samples.claw.map((r) => r.toFixed(0)).join(', ')}; bare ${samples.bare.map((r) => r.toFixed(0)).join(', ')}; no @ ${samples.chatter.map((r) => r.toFixed(0)).join(', ')})`,
    );
    console.log(
      `claw/bare max-rate ratio: ${(clawMax.rate / bareMax.rate).toFixed(2)} (target >= 0.80)`,
    );
    console.log(
      `claw (no mention)/bare max-rate ratio: ${(chatterMax.rate / bareMax.rate).toFixed(2)}`,
    );
    console.log(`claw p99 2xx at ${rate}/s: ${clawFixed.p99.toFixed(2)} ms (target <= 50 ms)`);

    for (const child of [claw, acker, bare]) child.process.kill('SIGTERM');
    const pickupPrefix = `{claw-bench-pickup-${randomUUID().slice(0, 8)}}`;
    const worker = await startChild('worker', 0, { ...env, BENCH_PICKUP_PREFIX: pickupPrefix });
    children.push(worker);
    const pickup = await pickupLatency(pickupPrefix, 200);
    await cleanup(pickupPrefix);
    console.log(
      `job pickup latency (enqueue -> handler start, idle worker, 200 jobs): p50 ${pickup.p50} ms, p99 ${pickup.p99} ms`,
    );
  } finally {
    for (const child of children)
      if (child.process.exitCode === null) child.process.kill('SIGKILL');
    await cleanup(prefix);
    agent.destroy();
  }
}
