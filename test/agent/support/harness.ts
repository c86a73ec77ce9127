// Shared test scaffolding for the agent: temp repos, a tool context on them, and scripted runs.
import { realpathSync } from 'node:fs';
import {
  createSessionState,
  createScriptedProvider,
  runAgent,
  type RunAgentOptions,
  type ScriptedTurn,
  type ToolContext,
} from '../../../src/agent/index.js';
import { createTempRepo, type TempRepo } from '../../support/git-repo.js';

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
  const provider = options.provider ?? scripted(turns);
  const result = await runAgent({ provider, workdir: repo.dir, task: 'Do the task.', ...options });
  return { result, provider };
}
