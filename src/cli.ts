#!/usr/bin/env node
// The `claw` command. Each subcommand lives in src/cli/; this file parses argv, prints, and sets the exit code.
// It is the only place in src/ that writes to the console.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { doctorPassed, formatDoctorReport, runDoctor, systemDoctorDeps } from './cli/doctor.js';
import { REDACT_USAGE, runRedact } from './cli/redact.js';
import { shippedHandlers } from './cli/shipped-handlers.js';
import { loadEnv } from './config/index.js';
import type { Logger } from './lib/index.js';
import type { OctokitHook } from './github/index.js';
import { createProcessRedaction } from './cli/process-redaction.js';
import { start, untilSignal } from './cli/start.js';
import { startWeb } from './cli/web.js';
import { startWorker } from './cli/worker.js';
import { createClawMetrics, type ClawMetrics } from './server/index.js';

/** Boots a long-running process and keeps it until SIGTERM/SIGINT (which drain it). */
async function serve(
  name: string,
  args: string[],
  boot: (
    env: ReturnType<typeof loadEnv>,
    logger: Logger,
    octokitHooks: OctokitHook[],
    metrics: ClawMetrics,
  ) => Promise<{ close(): Promise<void> }>,
): Promise<number> {
  if (args.length > 0) return usageError(`${name} takes no arguments (got ${args.join(' ')})`);
  const env = loadEnv();
  const { logger, octokitHooks, findings } = await createProcessRedaction({ env, name });
  // One registry per process; the redaction counts are read from the process's finding counter.
  const metrics = createClawMetrics({ logger });
  metrics.watchFindings(findings);
  const running = await boot(env, logger, octokitHooks, metrics);
  return untilSignal(() => running.close(), logger);
}
import { RUN_USAGE, runCommand } from './cli/run.js';
import { DEMO_USAGE, runDemo } from './cli/demo.js';

interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  start: {
    summary:
      'Run the webhook server and a worker in one process (jobs in-process without REDIS_URL)',
    usage: 'claw start',
    run: (args) =>
      serve('start', args, (env, logger, octokitHooks, metrics) =>
        start({ env, logger, rawEnv: process.env, octokitHooks, metrics }),
      ),
  },
  web: {
    summary: 'Run the webhook server: verify, parse, gate and store jobs in Redis',
    usage: 'claw web',
    run: (args) =>
      serve('web', args, (env, logger, octokitHooks, metrics) =>
        startWeb({ env, logger, octokitHooks, metrics }),
      ),
  },
  worker: {
    summary: 'Run a worker that takes jobs from Redis (start more to scale out)',
    usage: 'claw worker',
    run: (args) =>
      serve('worker', args, async (env, logger, octokitHooks, metrics) =>
        startWorker({
          env,
          logger,
          handlers: await shippedHandlers(env, logger, process.env, metrics),
          octokitHooks,
          metrics,
        }),
      ),
  },
  doctor: {
    summary: 'Check that this machine has what a deployment needs',
    usage: 'claw doctor',
    run: async (args) => {
      if (args.length > 0) return usageError(`doctor takes no arguments (got ${args.join(' ')})`);
      const items = await runDoctor(systemDoctorDeps());
      console.log(formatDoctorReport(items));
      const passed = doctorPassed(items);
      console.log(
        passed
          ? '\nEverything required is in place.'
          : '\nSome required items are missing or broken; see above.',
      );
      return passed ? 0 : 1;
    },
  },
  redact: {
    summary:
      'Redact secrets, deny terms and AI attribution from a file or stdin (exit 1 when found)',
    usage: REDACT_USAGE,
    run: (args) =>
      runRedact(args, {
        readStdin: async () => {
          const chunks: Buffer[] = [];
          for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
          return Buffer.concat(chunks).toString('utf8');
        },
        readFile: (file) => readFile(file, 'utf8'),
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        env: process.env,
      }),
  },
  run: {
    summary: 'Run the coding agent on a local git checkout (changes stay uncommitted)',
    usage: RUN_USAGE,
    run: async (args) => {
      const controller = new AbortController();
      const onSigint = (): void => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        return await runCommand(args, {
          env: process.env,
          stdout: (text) => console.log(text),
          stderr: (text) => console.error(text),
          signal: controller.signal,
        });
      } finally {
        process.off('SIGINT', onSigint);
      }
    },
  },
  demo: {
    summary:
      'See the issue → pull request loop on this machine: a local GitHub, a scripted model, no credentials',
    usage: DEMO_USAGE,
    run: async (args) => {
      const controller = new AbortController();
      const onSigint = (): void => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        return await runDemo(args, {
          print: (line) => console.log(line),
          env: process.env,
          signal: controller.signal,
        });
      } finally {
        process.off('SIGINT', onSigint);
      }
    },
  },
};

function version(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

export function helpText(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    'claw: a self-hosted GitHub App that works like a teammate.',
    '',
    'Usage: claw <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(
      ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
    ),
    '',
    'Options:',
    '  -h, --help     Show this help',
    '  -v, --version  Print the version',
    '',
    'Docs: docs/architecture.md',
  ].join('\n');
}

function usageError(message: string): number {
  console.error(`claw: ${message}\n`);
  console.error(helpText());
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '-h' || first === '--help' || first === 'help') {
    console.log(helpText());
    return 0;
  }
  if (first === '-v' || first === '--version') {
    console.log(version());
    return 0;
  }
  if (first === undefined) return usageError('no command given');
  const command = commands[first];
  if (command === undefined) return usageError(`unknown command "${first}"`);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`Usage: ${command.usage}\n\n${command.summary}.`);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`claw: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
