// The 👀 acknowledgement on whatever asked: an issue comment, a review comment, or the issue itself.
import type { ClawOctokit } from './octokit-factory.js';
import type { ReactionTarget, RepoRef } from './parse-trigger.js';

export async function addReaction(
  octokit: ClawOctokit,
  target: RepoRef & { number: number; reaction: ReactionTarget },
  content: 'eyes' | 'rocket' | '+1' = 'eyes',
): Promise<boolean> {
  const repo = { owner: target.owner, repo: target.repo };
  switch (target.reaction.type) {
    case 'issue-comment':
      await octokit.rest.reactions.createForIssueComment({
        ...repo,
        comment_id: target.reaction.commentId,
        content,
      });
      return true;
    case 'review-comment':
      await octokit.rest.reactions.createForPullRequestReviewComment({
        ...repo,
        comment_id: target.reaction.commentId,
        content,
      });
      return true;
    case 'issue':
      await octokit.rest.reactions.createForIssue({
        ...repo,
        issue_number: target.number,
        content,
      });
      return true;
    case 'none':
      return false;
  }
}
