// The words of an issue's pull request: title and summary from the agent's final report, the changed files,
// the commands it ran, `Fixes #n` and a footer with duration, tokens and cost; plus the commit message.
import type { AgentResult } from '../../agent/index.js';
import { totalTokens } from '../../agent/index.js';
import type { ChangedFile } from '../../workspace/index.js';
import { formatDuration, type CommandRun } from './agent-activity.js';

export interface AgentReport {
  /** From a `Title:` line, when the agent wrote one. */
  title: string | undefined;
  /** The rest of the final message. */
  summary: string;
  /** The agent said it changed nothing on purpose (`No change:`). */
  noChange: boolean;
}

const TITLE_LINE = /^[ \t]*(?:#{1,6}[ \t]*)?\**title\**[ \t]*:[ \t]*(.+?)[ \t]*$/im;
const MAX_TITLE = 72;

export function parseAgentReport(finalText: string): AgentReport {
  let text = finalText.trim();
  let title: string | undefined;
  const match = TITLE_LINE.exec(text);
  if (match !== null) {
    title = cleanTitle(match[1] ?? '');
    text = `${text.slice(0, match.index)}${text.slice(match.index + match[0].length)}`.trim();
  }
  const noChange = /^\**no change\**[:.]/i.test(text);
  return { title: title === '' ? undefined : title, summary: text, noChange };
}

function cleanTitle(raw: string): string {
  const title = raw
    .replace(/^["'`*]+|["'`*]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return title.length <= MAX_TITLE ? title : `${title.slice(0, MAX_TITLE - 1).trimEnd()}…`;
}

/** The PR title: the agent's, else one made from the issue. */
export function pullRequestTitle(report: AgentReport, issueTitle: string): string {
  return report.title ?? cleanTitle(`Fix: ${issueTitle}`);
}

export function formatTokens(count: number): string {
  return count.toLocaleString('en-US');
}

export function formatCost(usd: number): string {
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
}

export interface RunFigures {
  durationMs: number;
  tokens: number;
  costUsd: number;
}

export function runFigures(result: AgentResult, durationMs: number): RunFigures {
  return { durationMs, tokens: totalTokens(result.usage), costUsd: result.costUsd };
}

/** `2m 03s · 48,210 tokens · $0.1420` */
export function formatFigures(figures: RunFigures): string {
  return `${formatDuration(figures.durationMs)} · ${formatTokens(figures.tokens)} tokens · ${formatCost(figures.costUsd)}`;
}

function describeFile(file: ChangedFile): string {
  const counts =
    file.additions === undefined ? 'binary' : `+${file.additions} −${file.deletions ?? 0}`;
  const name =
    file.previousPath === undefined
      ? `\`${file.path}\``
      : `\`${file.previousPath}\` → \`${file.path}\``;
  return `- ${name} (${file.status}, ${counts})`;
}

export interface PullRequestBodyInput {
  issueNumber: number;
  report: AgentReport;
  files: readonly ChangedFile[];
  commands: readonly CommandRun[];
  figures: RunFigures;
  /** Set when a budget, not the agent, ended the run: the PR says the work may be unfinished. */
  stoppedBy?: string | undefined;
  requestedBy: string;
}

const MAX_FILES = 50;

export function renderPullRequestBody(input: PullRequestBodyInput): string {
  const sections: string[] = [];
  if (input.stoppedBy !== undefined) {
    sections.push(
      `> [!WARNING]\n> The run stopped early (${input.stoppedBy}), so this change may be incomplete. Review it carefully, or mention me on #${input.issueNumber} to continue.`,
    );
  }
  sections.push('## Summary', input.report.summary === '' ? '_No summary._' : input.report.summary);
  const shown = input.files.slice(0, MAX_FILES).map(describeFile);
  if (input.files.length > MAX_FILES) shown.push(`- and ${input.files.length - MAX_FILES} more`);
  sections.push('## What changed', shown.join('\n'));
  const tested =
    input.commands.length === 0
      ? '_The agent ran no commands._'
      : input.commands
          .map(
            (run) =>
              `- \`${run.command.replaceAll('`', "'")}\`: ${run.ok === undefined ? 'no result' : run.ok ? 'passed' : 'failed'}`,
          )
          .join('\n');
  sections.push('## How it was tested', tested);
  sections.push(`Fixes #${input.issueNumber}`);
  sections.push(
    `---\n<sub>Requested by @${input.requestedBy} · ${formatFigures(input.figures)}</sub>`,
  );
  return sections.join('\n\n');
}

export function commitMessage(title: string, issueNumber: number): string {
  return `${title}\n\nFixes #${issueNumber}`;
}
