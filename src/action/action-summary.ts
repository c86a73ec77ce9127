// The step's outputs and its Markdown job summary, built from one report of what the run did.
import type { TranscriptFigures } from './transcript-figures.js';

export type ActionConclusion = 'success' | 'skipped' | 'failure' | 'cancelled';

export interface ActionReport {
  conclusion: ActionConclusion;
  /** What happened, in one or two sentences (the handler's summary, the skip reason, the failure). */
  message: string;
  /** e.g. "resolving this issue"; undefined when no job ran. */
  kindLabel?: string;
  /** The issue or pull request the job worked on. */
  target?: { number: number; url: string };
  pullRequest?: { number: number; url: string };
  /** The review or reply the job posted, when that is its result. */
  resultUrl?: string;
  branch?: string;
  figures?: TranscriptFigures;
  nextStep?: string;
  runUrl: string;
}

export const ACTION_OUTPUT_NAMES = [
  'conclusion',
  'branch_name',
  'pr_number',
  'pr_url',
  'cost_usd',
  'turns',
  'transcript_path',
] as const;
export type ActionOutputs = Record<(typeof ACTION_OUTPUT_NAMES)[number], string>;

export function actionOutputs(report: ActionReport): ActionOutputs {
  const pull = report.pullRequest;
  return {
    conclusion: report.conclusion,
    branch_name: report.branch ?? '',
    pr_number: pull === undefined ? '' : String(pull.number),
    pr_url: pull?.url ?? '',
    cost_usd: report.figures === undefined ? '' : report.figures.costUsd.toFixed(4),
    turns: report.figures === undefined ? '' : String(report.figures.turns),
    transcript_path: report.figures?.path ?? '',
  };
}

const HEADINGS: Record<ActionConclusion, string> = {
  success: '✅ Claw finished',
  skipped: '⏭️ Claw skipped this event',
  failure: '❌ Claw failed',
  cancelled: '🛑 Claw was cancelled',
};

export function renderSummary(report: ActionReport): string {
  const rows: [string, string][] = [['Outcome', `\`${report.conclusion}\``]];
  if (report.kindLabel !== undefined) rows.push(['Job', report.kindLabel]);
  if (report.target !== undefined)
    rows.push(['Thread', `[#${report.target.number}](${report.target.url})`]);
  if (report.pullRequest !== undefined)
    rows.push(['Pull request', `[#${report.pullRequest.number}](${report.pullRequest.url})`]);
  if (report.resultUrl !== undefined && report.resultUrl !== report.pullRequest?.url)
    rows.push(['Result', `[link](${report.resultUrl})`]);
  if (report.branch !== undefined) rows.push(['Branch', `\`${report.branch}\``]);
  if (report.figures !== undefined) {
    rows.push(['Turns', String(report.figures.turns)]);
    rows.push(['Tokens', report.figures.tokens.toLocaleString('en-US')]);
    rows.push(['Cost', `$${report.figures.costUsd.toFixed(4)}`]);
    rows.push(['Transcript', `\`${report.figures.path}\` (on the runner)`]);
  }
  rows.push(['Run', `[logs](${report.runUrl})`]);
  const table = ['| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`)];
  const parts = [`### ${HEADINGS[report.conclusion]}`, report.message, table.join('\n')];
  if (report.nextStep !== undefined) parts.splice(2, 0, `**Next step:** ${report.nextStep}`);
  return `${parts.join('\n\n')}\n`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
