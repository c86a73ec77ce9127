// GitHub's response shapes for the emulator's objects (the fields a bot reads, named and typed as GitHub does).
import type {
  EmulatorState,
  Issue,
  IssueComment,
  Reaction,
  Repo,
  Review,
  ReviewComment,
  User,
} from './state.js';

export interface Urls {
  api: string;
  html: string;
}

const iso = (ms: number | null) =>
  ms === null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const nodeId = (kind: string, id: number) => Buffer.from(`${kind}:${id}`).toString('base64');

export function serializeUser(urls: Urls, user: User) {
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type, user.id),
    avatar_url: `${urls.html}/avatars/${user.id}`,
    gravatar_id: '',
    url: `${urls.api}/users/${encodeURIComponent(user.login)}`,
    html_url: `${urls.html}/${user.type === 'Bot' ? 'apps/' + user.login.replace(/\[bot\]$/, '') : user.login}`,
    type: user.type,
    site_admin: false,
  };
}

export function serializeRepo(urls: Urls, repo: Repo) {
  const full = `${repo.owner.login}/${repo.name}`;
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: full,
    private: repo.private,
    owner: serializeUser(urls, repo.owner),
    html_url: `${urls.html}/${full}`,
    description: null,
    fork: repo.forkOf !== undefined,
    url: `${urls.api}/repos/${full}`,
    clone_url: `${urls.html}/${full}.git`,
    git_url: `${urls.html}/${full}.git`,
    ssh_url: `git@emulator:${full}.git`,
    default_branch: repo.defaultBranch,
    visibility: repo.private ? 'private' : 'public',
    archived: false,
    disabled: false,
    has_issues: true,
    open_issues_count: 0,
    topics: [],
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    pushed_at: '2026-01-01T00:00:00Z',
  };
}

export function authorAssociation(repo: Repo, user: User): string {
  if (user.login.toLowerCase() === repo.owner.login.toLowerCase()) return 'OWNER';
  const permission = repo.permissions.get(user.login.toLowerCase());
  if (permission === 'admin' || permission === 'maintain' || permission === 'write')
    return 'COLLABORATOR';
  return 'NONE';
}

export function reactionSummary(urls: Urls, url: string, reactions: Reaction[]) {
  const count = (content: string) => reactions.filter((r) => r.content === content).length;
  return {
    url: `${url}/reactions`,
    total_count: reactions.length,
    '+1': count('+1'),
    '-1': count('-1'),
    laugh: count('laugh'),
    hooray: count('hooray'),
    confused: count('confused'),
    heart: count('heart'),
    rocket: count('rocket'),
    eyes: count('eyes'),
  };
}

export function serializeIssue(urls: Urls, state: EmulatorState, repo: Repo, issue: Issue) {
  const full = `${repo.owner.login}/${repo.name}`;
  const url = `${urls.api}/repos/${full}/issues/${issue.number}`;
  const reactions = state.reactions.filter(
    (r) =>
      r.subject.type === 'issue' &&
      r.subject.repoId === repo.id &&
      r.subject.number === issue.number,
  );
  return {
    id: issue.number * 1_000_003 + repo.id,
    node_id: nodeId('Issue', issue.number * 1_000_003 + repo.id),
    url,
    repository_url: `${urls.api}/repos/${full}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${urls.html}/${full}/${issue.pull === undefined ? 'issues' : 'pull'}/${issue.number}`,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: serializeUser(urls, issue.user),
    labels: issue.labels.map((name, i) => ({
      id: i + 1,
      node_id: nodeId('Label', i + 1),
      url: `${urls.api}/repos/${full}/labels/${encodeURIComponent(name)}`,
      name,
      color: 'ededed',
      default: false,
      description: null,
    })),
    assignee:
      issue.assignees[0] === undefined ? null : serializeUser(urls, state.user(issue.assignees[0])),
    assignees: issue.assignees.map((login) => serializeUser(urls, state.user(login))),
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: state.comments.filter((c) => c.repoId === repo.id && c.issueNumber === issue.number)
      .length,
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    closed_at: iso(issue.closedAt),
    author_association: authorAssociation(repo, issue.user),
    reactions: reactionSummary(urls, url, reactions),
    ...(issue.pull === undefined
      ? {}
      : {
          pull_request: {
            url: `${urls.api}/repos/${full}/pulls/${issue.number}`,
            html_url: `${urls.html}/${full}/pull/${issue.number}`,
            diff_url: `${urls.html}/${full}/pull/${issue.number}.diff`,
            patch_url: `${urls.html}/${full}/pull/${issue.number}.patch`,
            merged_at: null,
          },
        }),
  };
}

export function serializeComment(
  urls: Urls,
  state: EmulatorState,
  repo: Repo,
  comment: IssueComment,
) {
  const full = `${repo.owner.login}/${repo.name}`;
  const url = `${urls.api}/repos/${full}/issues/comments/${comment.id}`;
  const issue = state.issue(repo.id, comment.issueNumber);
  const reactions = state.reactions.filter(
    (r) => r.subject.type === 'issue_comment' && r.subject.id === comment.id,
  );
  return {
    id: comment.id,
    node_id: nodeId('IssueComment', comment.id),
    url,
    html_url: `${urls.html}/${full}/${issue?.pull === undefined ? 'issues' : 'pull'}/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${urls.api}/repos/${full}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: serializeUser(urls, comment.user),
    created_at: iso(comment.createdAt),
    updated_at: iso(comment.updatedAt),
    author_association: authorAssociation(repo, comment.user),
    reactions: reactionSummary(urls, url, reactions),
  };
}

export function serializeReaction(urls: Urls, reaction: Reaction) {
  return {
    id: reaction.id,
    node_id: nodeId('Reaction', reaction.id),
    user: serializeUser(urls, reaction.user),
    content: reaction.content,
    created_at: iso(reaction.createdAt),
  };
}

export function serializeReview(urls: Urls, repo: Repo, review: Review) {
  const full = `${repo.owner.login}/${repo.name}`;
  return {
    id: review.id,
    node_id: nodeId('PullRequestReview', review.id),
    user: serializeUser(urls, review.user),
    body: review.body,
    state: review.state,
    html_url: `${urls.html}/${full}/pull/${review.pullNumber}#pullrequestreview-${review.id}`,
    pull_request_url: `${urls.api}/repos/${full}/pulls/${review.pullNumber}`,
    author_association: authorAssociation(repo, review.user),
    _links: {
      html: {
        href: `${urls.html}/${full}/pull/${review.pullNumber}#pullrequestreview-${review.id}`,
      },
      pull_request: { href: `${urls.api}/repos/${full}/pulls/${review.pullNumber}` },
    },
    submitted_at: iso(review.submittedAt),
    commit_id: review.commitId,
  };
}

export function serializeReviewComment(
  urls: Urls,
  state: EmulatorState,
  repo: Repo,
  comment: ReviewComment,
) {
  const full = `${repo.owner.login}/${repo.name}`;
  const url = `${urls.api}/repos/${full}/pulls/comments/${comment.id}`;
  const reactions = state.reactions.filter(
    (r) => r.subject.type === 'review_comment' && r.subject.id === comment.id,
  );
  return {
    url,
    pull_request_review_id: comment.reviewId,
    id: comment.id,
    node_id: nodeId('PullRequestReviewComment', comment.id),
    diff_hunk: comment.diffHunk,
    path: comment.path,
    position: comment.line,
    original_position: comment.line,
    commit_id: comment.commitId,
    original_commit_id: comment.commitId,
    ...(comment.inReplyTo === null ? {} : { in_reply_to_id: comment.inReplyTo }),
    user: serializeUser(urls, comment.user),
    body: comment.body,
    created_at: iso(comment.createdAt),
    updated_at: iso(comment.updatedAt),
    html_url: `${urls.html}/${full}/pull/${comment.pullNumber}#discussion_r${comment.id}`,
    pull_request_url: `${urls.api}/repos/${full}/pulls/${comment.pullNumber}`,
    author_association: authorAssociation(repo, comment.user),
    _links: {
      self: { href: url },
      html: { href: `${urls.html}/${full}/pull/${comment.pullNumber}#discussion_r${comment.id}` },
      pull_request: { href: `${urls.api}/repos/${full}/pulls/${comment.pullNumber}` },
    },
    start_line: comment.startLine,
    original_start_line: comment.startLine,
    start_side: comment.startSide,
    line: comment.line,
    original_line: comment.line,
    side: comment.side,
    subject_type: 'line',
    reactions: reactionSummary(urls, url, reactions),
  };
}

export { iso, nodeId };
