// Webhook event → Trigger: which work a delivery asks for, or why it asks for none. Pure (no I/O):
// the permission check and config loading happen around it in src/app.ts.
import type { RepoConfig } from '../config/index.js';
import { parseMention } from './parse-mention.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface TriggerBase extends RepoRef {
  installationId: number;
  /** The issue or pull request number: the target that jobs on it are serialized by. */
  number: number;
  /** Who asked: the commenter, labeler, assigner or pusher. */
  actor: string;
}

/** Where the 👀 reaction goes: the comment that asked, or the issue itself. */
export type ReactionTarget =
  | { type: 'issue-comment'; commentId: number }
  | { type: 'review-comment'; commentId: number }
  | { type: 'issue' }
  | { type: 'none' };

export interface ResolveIssueTrigger extends TriggerBase {
  kind: 'resolve-issue';
  source: 'comment' | 'issue-body' | 'assigned' | 'labeled';
  instruction: string;
  commentId?: number;
  reaction: ReactionTarget;
}

export interface ReviewPrTrigger extends TriggerBase {
  kind: 'review-pr';
  reason: 'auto' | 'command';
  headSha?: string;
  instruction: string;
  reaction: ReactionTarget;
}

export interface AddressReviewTrigger extends TriggerBase {
  kind: 'address-review';
  source: 'issue-comment' | 'review-comment' | 'review';
  commentId: number;
  /** For a review-comment thread: the id of the thread's first comment, where replies go. */
  inReplyToId?: number;
  instruction: string;
  reaction: ReactionTarget;
}

export interface CancelTrigger extends TriggerBase {
  kind: 'cancel';
  reason: 'stop-command' | 'closed';
  reaction: ReactionTarget;
}

export type Trigger = ResolveIssueTrigger | ReviewPrTrigger | AddressReviewTrigger | CancelTrigger;
export type TriggerKind = Trigger['kind'];

/** Triggers that need a person with write access (auto-review and close-to-cancel do not). */
/**
 * Whether the actor must have write access. A bot in `allowed_bots` is vouched for by whoever wrote the repo's
 * config (bots are no collaborators, so GitHub would answer 404 for them).
 */
export function needsWriteAccess(
  trigger: Trigger,
  config: Pick<RepoConfig, 'allowed_bots'> = { allowed_bots: [] },
): boolean {
  if (config.allowed_bots.some((login) => sameLogin(trigger.actor, login))) return false;
  if (trigger.kind === 'review-pr') return trigger.reason === 'command';
  if (trigger.kind === 'cancel') return trigger.reason === 'stop-command';
  return true;
}

export interface WebhookEvent {
  name: string;
  payload: unknown;
}

export interface ParseTriggerOptions {
  config: RepoConfig;
  /** The App's own bot login, e.g. `claw[bot]`; its own comments never trigger. */
  botLogin: string;
}

export type TriggerDecision = { trigger: Trigger } | { ignore: string };

interface Account {
  login?: string;
  type?: string;
}

interface LoosePayload {
  action?: string;
  installation?: { id?: number };
  repository?: { name?: string; owner?: { login?: string } };
  sender?: Account;
  issue?: { number?: number; body?: string | null; pull_request?: unknown; user?: Account };
  comment?: { id?: number; body?: string | null; user?: Account; in_reply_to_id?: number };
  review?: { id?: number; body?: string | null; user?: Account };
  pull_request?: { number?: number; draft?: boolean; head?: { sha?: string }; user?: Account };
  assignee?: Account | null;
  label?: { name?: string };
}

const isBot = (account: Account | undefined) =>
  account?.type === 'Bot' || (account?.login ?? '').endsWith('[bot]');

const sameLogin = (a: string | undefined, b: string) =>
  a !== undefined && a.toLowerCase() === b.toLowerCase();

const ignore = (reason: string): TriggerDecision => ({ ignore: reason });

/** The events Claw subscribes to and what it does with each (see docs/ingress.md). */
export const HANDLED_EVENTS = [
  'issue_comment.created',
  'issues.opened',
  'issues.assigned',
  'issues.labeled',
  'issues.closed',
  'pull_request.opened',
  'pull_request.reopened',
  'pull_request.synchronize',
  'pull_request.ready_for_review',
  'pull_request.closed',
  'pull_request_review.submitted',
  'pull_request_review_comment.created',
] as const;

/** Why a comment author may not trigger, or undefined when they may (permission is checked later). */
function authorProblem(
  author: Account | undefined,
  options: ParseTriggerOptions,
): string | undefined {
  if (author?.login === undefined) return 'the event has no author';
  if (sameLogin(author.login, options.botLogin)) return 'the author is Claw itself';
  const allowed = options.config.allowed_bots.some((login) => sameLogin(author.login, login));
  if (isBot(author) && !allowed)
    return `the author ${author.login} is a bot that is not in allowed_bots`;
  return undefined;
}

/** Like parseTrigger, but says why an event is ignored, for the debug log. */
export function classifyEvent(event: WebhookEvent, options: ParseTriggerOptions): TriggerDecision {
  const payload = (event.payload ?? {}) as LoosePayload;
  const key = `${event.name}.${payload.action ?? ''}`;
  if (!(HANDLED_EVENTS as readonly string[]).includes(key))
    return ignore(`${key} is not an event Claw acts on`);
  const installationId = payload.installation?.id;
  const owner = payload.repository?.owner?.login;
  const repo = payload.repository?.name;
  if (installationId === undefined) return ignore('the event carries no installation id');
  if (owner === undefined || repo === undefined) return ignore('the event carries no repository');
  const number = payload.issue?.number ?? payload.pull_request?.number;
  if (number === undefined) return ignore('the event names no issue or pull request');
  const actor = payload.sender?.login ?? '';
  const base = { owner, repo, installationId, number, actor };
  const phrase = options.config.trigger_phrase;

  switch (key) {
    case 'issues.closed':
    case 'pull_request.closed':
      return { trigger: { ...base, kind: 'cancel', reason: 'closed', reaction: { type: 'none' } } };

    case 'issue_comment.created': {
      const comment = payload.comment;
      if (comment?.id === undefined) return ignore('the comment has no id');
      const problem = authorProblem(comment.user ?? payload.sender, options);
      if (problem !== undefined) return ignore(problem);
      const mention = parseMention(comment.body, phrase);
      if (mention === null) return ignore(`the comment does not mention ${phrase}`);
      const commenter = { ...base, actor: comment.user?.login ?? actor };
      const reaction: ReactionTarget = { type: 'issue-comment', commentId: comment.id };
      if (mention.command === 'stop')
        return { trigger: { ...commenter, kind: 'cancel', reason: 'stop-command', reaction } };
      const onPullRequest =
        payload.issue?.pull_request !== undefined && payload.issue.pull_request !== null;
      if (!onPullRequest) {
        if (mention.command === 'review')
          return ignore(`${phrase} review was asked on an issue, not a pull request`);
        return {
          trigger: {
            ...commenter,
            kind: 'resolve-issue',
            source: 'comment',
            instruction: mention.instruction,
            commentId: comment.id,
            reaction,
          },
        };
      }
      if (mention.command === 'review')
        return {
          trigger: {
            ...commenter,
            kind: 'review-pr',
            reason: 'command',
            instruction: mention.instruction,
            reaction,
          },
        };
      return {
        trigger: {
          ...commenter,
          kind: 'address-review',
          source: 'issue-comment',
          commentId: comment.id,
          instruction: mention.instruction,
          reaction,
        },
      };
    }

    case 'issues.opened': {
      if (payload.issue?.pull_request !== undefined) return ignore('the issue is a pull request');
      const problem = authorProblem(payload.issue?.user ?? payload.sender, options);
      if (problem !== undefined) return ignore(problem);
      const mention = parseMention(payload.issue?.body, phrase);
      if (mention === null) return ignore(`the issue body does not mention ${phrase}`);
      if (mention.command !== 'instruction')
        return ignore(`${phrase} ${mention.command} means nothing on a new issue`);
      return {
        trigger: {
          ...base,
          kind: 'resolve-issue',
          source: 'issue-body',
          instruction: mention.instruction,
          reaction: { type: 'issue' },
        },
      };
    }

    case 'issues.assigned': {
      if (!sameLogin(payload.assignee?.login, options.botLogin))
        return ignore(
          `the issue was assigned to ${payload.assignee?.login ?? 'nobody'}, not to Claw`,
        );
      const problem = authorProblem(payload.sender, options);
      if (problem !== undefined) return ignore(problem);
      return {
        trigger: {
          ...base,
          kind: 'resolve-issue',
          source: 'assigned',
          instruction: '',
          reaction: { type: 'issue' },
        },
      };
    }

    case 'issues.labeled': {
      const label = payload.label?.name;
      if (label === undefined || label.toLowerCase() !== options.config.label.toLowerCase())
        return ignore(`the label ${label ?? '(none)'} is not ${options.config.label}`);
      const problem = authorProblem(payload.sender, options);
      if (problem !== undefined) return ignore(problem);
      return {
        trigger: {
          ...base,
          kind: 'resolve-issue',
          source: 'labeled',
          instruction: '',
          reaction: { type: 'issue' },
        },
      };
    }

    case 'pull_request.opened':
    case 'pull_request.reopened':
    case 'pull_request.synchronize':
    case 'pull_request.ready_for_review': {
      if (!options.config.review.auto) return ignore('auto-review is off in .github/claw.yml');
      if (sameLogin(actor, options.botLogin))
        return ignore('Claw itself pushed or opened the pull request');
      if (payload.pull_request?.draft === true && !options.config.review.drafts)
        return ignore('the pull request is a draft and review.drafts is off');
      const headSha = payload.pull_request?.head?.sha;
      return {
        trigger: {
          ...base,
          kind: 'review-pr',
          reason: 'auto',
          instruction: '',
          ...(headSha === undefined ? {} : { headSha }),
          reaction: { type: 'none' },
        },
      };
    }

    case 'pull_request_review_comment.created': {
      const comment = payload.comment;
      if (comment?.id === undefined) return ignore('the review comment has no id');
      const problem = authorProblem(comment.user ?? payload.sender, options);
      if (problem !== undefined) return ignore(problem);
      const mention = parseMention(comment.body, phrase);
      if (mention === null) return ignore(`the review comment does not mention ${phrase}`);
      const commenter = { ...base, actor: comment.user?.login ?? actor };
      const reaction: ReactionTarget = { type: 'review-comment', commentId: comment.id };
      if (mention.command === 'stop')
        return { trigger: { ...commenter, kind: 'cancel', reason: 'stop-command', reaction } };
      if (mention.command === 'review')
        return {
          trigger: {
            ...commenter,
            kind: 'review-pr',
            reason: 'command',
            instruction: mention.instruction,
            reaction,
          },
        };
      return {
        trigger: {
          ...commenter,
          kind: 'address-review',
          source: 'review-comment',
          commentId: comment.id,
          inReplyToId: comment.in_reply_to_id ?? comment.id,
          instruction: mention.instruction,
          reaction,
        },
      };
    }

    case 'pull_request_review.submitted': {
      const review = payload.review;
      if (review?.id === undefined) return ignore('the review has no id');
      const problem = authorProblem(review.user ?? payload.sender, options);
      if (problem !== undefined) return ignore(problem);
      const mention = parseMention(review.body, phrase);
      if (mention === null) return ignore(`the review body does not mention ${phrase}`);
      const reviewer = { ...base, actor: review.user?.login ?? actor };
      if (mention.command === 'stop')
        return {
          trigger: {
            ...reviewer,
            kind: 'cancel',
            reason: 'stop-command',
            reaction: { type: 'none' },
          },
        };
      return {
        trigger: {
          ...reviewer,
          kind: 'address-review',
          source: 'review',
          commentId: review.id,
          instruction:
            mention.command === 'review'
              ? `review ${mention.instruction}`.trim()
              : mention.instruction,
          reaction: { type: 'none' },
        },
      };
    }
  }
  return ignore(`${key} is not an event Claw acts on`);
}

/** The work a webhook event asks for, or null (see classifyEvent for the reason). */
export function parseTrigger(event: WebhookEvent, options: ParseTriggerOptions): Trigger | null {
  const decision = classifyEvent(event, options);
  return 'trigger' in decision ? decision.trigger : null;
}
