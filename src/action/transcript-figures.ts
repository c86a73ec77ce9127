// The figures of the run's agent transcript (turns, tokens, cost) for the step's outputs and summary: the `end`
// line's totals when the run finished, else the sum of the responses written before it stopped.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

export interface TranscriptFigures {
  path: string;
  turns: number;
  tokens: number;
  costUsd: number;
}

interface UsageLike {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

const tokensOf = (usage: UsageLike | undefined) =>
  (usage?.inputTokens ?? 0) +
  (usage?.outputTokens ?? 0) +
  (usage?.cacheReadTokens ?? 0) +
  (usage?.cacheWriteTokens ?? 0);

/** The newest attempt's transcript of a job (`<job>.<attempt>.jsonl`), or undefined when none was written. */
export async function latestTranscript(dir: string, jobId: string): Promise<string | undefined> {
  const stem = `${jobId.replace(/[^A-Za-z0-9._-]/g, '_')}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  const attempts = names
    .filter((name) => name.startsWith(stem) && name.endsWith('.jsonl'))
    .map((name) => ({ name, attempt: Number(name.slice(stem.length, -'.jsonl'.length)) }))
    .filter((entry) => Number.isInteger(entry.attempt))
    .sort((a, b) => b.attempt - a.attempt);
  return attempts[0] === undefined ? undefined : path.join(dir, attempts[0].name);
}

export async function transcriptFigures(file: string): Promise<TranscriptFigures> {
  const text = await readFile(file, 'utf8');
  let turns = 0;
  let tokens = 0;
  let costUsd = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // A line cut short by a kill; the lines before it still count.
    }
    if (entry.kind === 'response') {
      if (entry.agent === 'main') turns += 1;
      tokens += tokensOf(entry.usage as UsageLike | undefined);
      costUsd += typeof entry.costUsd === 'number' ? entry.costUsd : 0;
    }
    if (entry.kind === 'end') {
      const result = entry.result as { turns?: number; usage?: UsageLike; costUsd?: number };
      return {
        path: file,
        turns: result.turns ?? turns,
        tokens: result.usage === undefined ? tokens : tokensOf(result.usage),
        costUsd: result.costUsd ?? costUsd,
      };
    }
  }
  return { path: file, turns, tokens, costUsd };
}
