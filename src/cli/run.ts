// `claw run`: runs the agent on a local git checkout and leaves its changes uncommitted. I/O is injected
// so tests drive it directly; exit codes are 0 (the agent finished), 3 (a budget or guard stopped it), 2 (usage).
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import {
  createProvider,
  formatTodos,
  parsePriceOverrides,
  runAgent,
  type AgentResult,
  type PriceTable,
  type Provider,
} from '../agent/index.js';
import { parseEnv, resolveProvider } from '../config/index.js';
import {
  createLogLineRedactor,
  createRedactor,
  createTranscriptRedactor,
  redactionPolicyFromEnv,
} from '../undercover/index.js';
import {
  ConfigError,
  createLogger,
  createLogSink,
  describeError,
  UsageError,
} from '../lib/index.js';

export const RUN_USAGE =
  'claw run --repo DIR --task TEXT [--provider anthropic|openai|scripted:FILE] [--model M] [--max-turns N] [--max-cost-usd X] [--transcript FILE] [--resume] [--json]';

export interface RunCommandIO {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  signal?: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_STOPPED = 3;
export const EXIT_ABORTED = 130;

export function exitCodeFor(result: AgentResult): number {
  if (result.stopReason === 'end_turn') return EXIT_OK;
  if (result.stopReason === 'aborted') return EXIT_ABORTED;
  if (result.stopReason === 'refusal') return EXIT_ERROR;
  return EXIT_STOPPED;
}

function positive(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number)))
    throw new UsageError(
      `${name} must be a ${integer ? 'whole number' : 'number'} greater than 0 (got "${value}")`,
    );
  return number;
}

function isGitCheckout(dir: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('git', ['-C', dir, 'rev-parse', '--is-inside-work-tree'], (error, stdout) =>
      resolve(error === null && stdout.trim() === 'true'),
    );
  });
}

export function formatSummary(result: AgentResult): string {
  const lines = [
    `Stopped: ${result.stopReason} after ${result.turns} turn${result.turns === 1 ? '' : 's'} and ${result.toolCalls} tool call${result.toolCalls === 1 ? '' : 's'} (${(result.durationMs / 1000).toFixed(1)} s)`,
    `Tokens: ${result.usage.inputTokens} in, ${result.usage.outputTokens} out, ${result.usage.cacheReadTokens} cache read, ${result.usage.cacheWriteTokens} cache write; cost $${result.costUsd.toFixed(4)}`,
    `Files changed: ${result.filesChanged.length === 0 ? 'none' : result.filesChanged.join(', ')}`,
  ];
  if (result.todos.length > 0) lines.push(`Todos:\n${formatTodos(result.todos)}`);
  if (result.finalText !== '') lines.push('', result.finalText);
  return lines.join('\n');
}

interface ParsedRun {
  repo: string;
  task: string;
  provider: Provider;
  maxTurns: number;
  maxCostUsd: number;
  maxTokens: number;
  maxDurationMs: number;
  transcript: string | undefined;
  resume: boolean;
  json: boolean;
  prices: PriceTable;
}

async function parseRunArgs(args: string[], io: RunCommandIO): Promise<ParsedRun> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        repo: { type: 'string' },
        task: { type: 'string' },
        provider: { type: 'string' },
        model: { type: 'string' },
        'max-turns': { type: 'string' },
        'max-cost-usd': { type: 'string' },
        transcript: { type: 'string' },
        resume: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    }));
  } catch (error) {
    // parseArgs errors may come from another realm (e.g. under a test VM), so read the message structurally.
    const message =
      typeof error === 'object' && error !== null && 'message' in error
        ? String(error.message)
        : describeError(error);
    throw new UsageError(message, { cause: error });
  }
  if (values.repo === undefined) throw new UsageError('--repo DIR is required');
  if (values.task === undefined && values.resume !== true)
    throw new UsageError('--task TEXT is required');
  if (values.resume === true && values.transcript === undefined)
    throw new UsageError('--resume needs --transcript FILE');
  const maxTurns = positive('--max-turns', values['max-turns'], true);
  const maxCostUsd = positive('--max-cost-usd', values['max-cost-usd'], false);
  const env = parseEnv(io.env);
  const providerName = values.provider ?? resolveProvider(env);
  if (providerName === undefined)
    throw new UsageError(
      'No model provider: pass --provider, or set ANTHROPIC_API_KEY or OPENAI_API_KEY',
    );
  const prices =
    env.CLAW_MODEL_PRICES === undefined ? {} : parsePriceOverrides(env.CLAW_MODEL_PRICES);
  const provider = createProvider({
    provider: providerName,
    model: values.model ?? env.CLAW_MODEL,
    anthropicApiKey: env.ANTHROPIC_API_KEY,
    anthropicBaseUrl: env.ANTHROPIC_BASE_URL,
    openaiApiKey: env.OPENAI_API_KEY,
    openaiBaseUrl: env.OPENAI_BASE_URL,
    prices,
  });
  if (!(await isGitCheckout(values.repo)))
    throw new UsageError(`${values.repo} is not a git repository (git rev-parse failed there)`);
  return {
    repo: values.repo,
    task: values.task ?? '',
    provider,
    maxTurns: maxTurns ?? env.CLAW_MAX_TURNS,
    maxCostUsd: maxCostUsd ?? env.CLAW_MAX_COST_USD,
    maxTokens: env.CLAW_MAX_TOKENS,
    maxDurationMs: env.CLAW_TIMEOUT_MINUTES * 60_000,
    transcript: values.transcript,
    resume: values.resume === true,
    json: values.json === true,
    prices,
  };
}

export async function runCommand(args: string[], io: RunCommandIO): Promise<number> {
  let parsed: ParsedRun;
  try {
    parsed = await parseRunArgs(args, io);
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof ConfigError ||
      (error instanceof Error && error.message.startsWith('CLAW_MODEL_PRICES'))
    ) {
      io.stderr(`claw run: ${describeError(error).split('\n').join(' ')} (see claw run --help)`);
      return EXIT_USAGE;
    }
    throw error;
  }
  // Transcripts and log lines hold model output and tool results; undercover cleans both like any other exit.
  const redactor = createRedactor(redactionPolicyFromEnv(parseEnv(io.env), io.env));
  const sink = createLogSink({ write: (line: string) => io.stderr(line.trimEnd()) });
  sink.setRedactor(createLogLineRedactor(redactor));
  const logger = createLogger({ level: 'warn', sink });
  let result: AgentResult;
  try {
    result = await runAgent({
      provider: parsed.provider,
      workdir: parsed.repo,
      task: parsed.task,
      limits: {
        maxTurns: parsed.maxTurns,
        maxCostUsd: parsed.maxCostUsd,
        maxTokens: parsed.maxTokens,
        maxDurationMs: parsed.maxDurationMs,
      },
      prices: parsed.prices,
      resume: parsed.resume,
      logger,
      ...(parsed.transcript !== undefined ? { transcriptPath: parsed.transcript } : {}),
      redact: createTranscriptRedactor(redactor),
      ...(io.signal !== undefined ? { signal: io.signal } : {}),
      progress: (event) => {
        if (parsed.json) return;
        if (event.type === 'tool_call' && event.agent === 'main')
          io.stderr(`  ${event.name} ${JSON.stringify(event.input).slice(0, 100)}`);
      },
    });
  } catch (error) {
    io.stderr(`claw run: the agent failed: ${describeError(error).split('\n')[0] ?? ''}`);
    return EXIT_ERROR;
  }
  io.stdout(parsed.json ? JSON.stringify(result) : formatSummary(result));
  return exitCodeFor(result);
}
