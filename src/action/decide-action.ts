// Which job a workflow run asks for: the App's own classifier (classifyEvent) on the event file, then the step's
// mode; workflow_dispatch and schedule carry no issue, so they run the `prompt` input (see docs/action.md).
import { classifyEvent, type RepoRef, type Trigger } from '../github/index.js';
import type { RepoConfig } from '../config/index.js';
import type { ActionInputs } from './action-inputs.js';

/** Actions payloads carry no installation; the Action's one client serves whatever id the job names. */
export const ACTION_INSTALLATION_ID = 1;

export type JobTrigger = Exclude<Trigger, { kind: 'cancel' }>;

export type ActionDecision =
  | { run: 'trigger'; trigger: JobTrigger }
  /** No issue to work from: open one holding the prompt, then resolve it. */
  | { run: 'prompt'; prompt: string }
  | { skip: string };

export interface DecideActionOptions {
  eventName: string;
  event: Record<string, unknown>;
  repo: RepoRef;
  inputs: ActionInputs;
  config: RepoConfig;
  /** Who the token acts as; its own comments never trigger. */
  botLogin: string;
}

export const PROMPT_EVENTS = ['workflow_dispatch', 'schedule'] as const;

const sameLogin = (a: unknown, b: string) =>
  typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

export function decideAction(options: DecideActionOptions): ActionDecision {
  const { inputs, eventName } = options;
  if ((PROMPT_EVENTS as readonly string[]).includes(eventName)) {
    if (inputs.mode === 'review')
      return {
        skip: `mode "review" reviews pull requests, and a ${eventName} run has none; run it on pull_request`,
      };
    if (inputs.prompt === undefined)
      return {
        skip: `a ${eventName} run has no issue or pull request to work from; set the "prompt" input to give it a task`,
      };
    return { run: 'prompt', prompt: inputs.prompt };
  }

  // pull_request_target carries the same payload as pull_request; only the checkout and secrets differ.
  const name = eventName === 'pull_request_target' ? 'pull_request' : eventName;
  const payload = structuredClone(options.event);
  const installation = payload.installation as { id?: unknown } | undefined;
  if (typeof installation?.id !== 'number') payload.installation = { id: ACTION_INSTALLATION_ID };
  const assignee = payload.assignee as { login?: unknown } | null | undefined;
  if (
    name === 'issues' &&
    payload.action === 'assigned' &&
    inputs.assignee_trigger !== undefined &&
    sameLogin(assignee?.login, inputs.assignee_trigger.replace(/^@/, ''))
  )
    // Assigning the configured account counts as assigning Claw itself.
    payload.assignee = { ...assignee, login: options.botLogin };

  const decision = classifyEvent(
    { name, payload },
    { config: options.config, botLogin: options.botLogin },
  );
  if ('ignore' in decision) return { skip: decision.ignore };
  const { trigger } = decision;
  if (trigger.kind === 'cancel')
    return {
      skip:
        trigger.reason === 'closed'
          ? 'the issue or pull request was closed; there is nothing to run'
          : `${options.config.trigger_phrase} stop cancels jobs of the Claw App; in a workflow, use a concurrency group with cancel-in-progress`,
    };
  if (inputs.mode === 'review' && trigger.kind !== 'review-pr')
    return { skip: `mode is "review", so the ${trigger.kind} job this event asks for is not run` };
  if (inputs.mode === 'resolve' && trigger.kind === 'review-pr')
    return { skip: 'mode is "resolve", so reviews are not run' };
  return { run: 'trigger', trigger };
}

/** A short issue title from the prompt's first line. */
export function promptTitle(prompt: string): string {
  const first =
    prompt
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? 'Scheduled task';
  return first.length <= 70 ? first : `${first.slice(0, 69).trimEnd()}…`;
}
