// Shared test scaffolding for the agent: temp repos, a tool context on them, and scripted runs.
import { realpathSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  createSessionState,
  createScriptedProvider,
  estimateTokens,
  runAgent,
  type Message,
  type ModelRequest,
  type Provider,
  type RunAgentOptions,
  type ScriptedTurn,
  type ToolContext,
} from '../../../src/agent/index.js';
import { createTempRepo, makeTempDir, type TempRepo } from '../../support/git-repo.js';

const createdDirs: string[] = [];

/** A temp dir removed after the test file's last test. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await makeTempDir(prefix);
  createdDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(createdDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export const noSleep = (): Promise<void> => Promise.resolve();

export async function repoWith(files: Record<string, string>): Promise<TempRepo> {
  return createTempRepo({ files });
}

export function toolContext(repo: TempRepo, overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    worktree: realpathSync(repo.dir),
    signal: new AbortController().signal,
    session: createSessionState(),
    sandbox: {},
    ...overrides,
  };
}

export function turn(
  content: ScriptedTurn['content'],
  extra: Partial<ScriptedTurn> = {},
): ScriptedTurn {
  return { content, ...extra };
}

export function toolUse(id: string, name: string, input: unknown): ScriptedTurn['content'][number] {
  return { type: 'tool_use', id, name, input };
}

export function text(value: string): ScriptedTurn['content'][number] {
  return { type: 'text', text: value };
}

export function scripted(
  turns: ScriptedTurn[],
  options: { model?: string; contextWindow?: number } = {},
) {
  return createScriptedProvider({ turns }, { retry: { sleep: noSleep }, ...options });
}

export async function runScripted(
  repo: TempRepo,
  turns: ScriptedTurn[],
  options: Partial<RunAgentOptions> = {},
) {
  const provider = scripted(turns);
  const result = await runAgent({ provider, workdir: repo.dir, task: 'Do the task.', ...options });
  return { result, provider };
}

/** A provider whose answer depends on the request, for runs where call order is not fixed (Task, compaction). */
export function routingProvider(
  route: (request: ModelRequest, index: number) => ScriptedTurn | Promise<ScriptedTurn>,
  options: { contextWindow?: number; model?: string } = {},
): Provider & { requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  return {
    name: 'routing',
    model: options.model ?? 'scripted',
    contextWindow: options.contextWindow ?? 200_000,
    requests,
    async complete(request) {
      const index = requests.length;
      const { signal: _signal, ...copy } = request;
      requests.push(structuredClone(copy));
      const answer = await route(request, index);
      return {
        content: structuredClone(answer.content),
        stopReason:
          answer.stop_reason ??
          (answer.content.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn'),
        model: options.model ?? 'scripted',
        usage: {
          inputTokens: answer.usage?.input_tokens ?? estimateTokens(request),
          outputTokens: answer.usage?.output_tokens ?? estimateTokens(answer.content),
          cacheReadTokens: answer.usage?.cache_read_input_tokens ?? 0,
          cacheWriteTokens: answer.usage?.cache_creation_input_tokens ?? 0,
        },
      };
    },
  };
}

export function lastUserText(request: ModelRequest): string {
  const last = request.messages[request.messages.length - 1];
  return last?.role === 'user'
    ? last.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n')
    : '';
}

/** Asserts that every tool_use is answered by a tool_result in the next message and vice versa. */
export function assertToolPairs(messages: readonly Message[]): void {
  messages.forEach((message, index) => {
    if (message.role === 'assistant') {
      const ids = message.content.flatMap((block) => (block.type === 'tool_use' ? [block.id] : []));
      if (ids.length === 0) return;
      const next = messages[index + 1];
      const answered =
        next?.role === 'user'
          ? next.content.flatMap((block) =>
              block.type === 'tool_result' ? [block.tool_use_id] : [],
            )
          : [];
      if (index + 1 < messages.length && JSON.stringify(answered) !== JSON.stringify(ids))
        throw new Error(
          `message ${index}: tool_use ${ids.join(',')} answered by ${answered.join(',')}`,
        );
    } else {
      const results = message.content.flatMap((block) =>
        block.type === 'tool_result' ? [block.tool_use_id] : [],
      );
      if (results.length === 0) return;
      const previous = messages[index - 1];
      const asked =
        previous?.role === 'assistant'
          ? previous.content.flatMap((block) => (block.type === 'tool_use' ? [block.id] : []))
          : [];
      if (JSON.stringify(asked) !== JSON.stringify(results))
        throw new Error(`message ${index}: tool_result without its tool_use`);
    }
  });
}
