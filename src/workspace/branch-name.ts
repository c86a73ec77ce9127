// Names Claw gives to git things: the issue branch `<prefix>issue-<n>-<slug>` (60 characters at most)
// and the App's bot identity that authors every commit.

export const MAX_BRANCH_LENGTH = 60;
export const DEFAULT_BRANCH_PREFIX = 'claw/';

export interface BranchNameInput {
  issueNumber: number;
  title: string;
  /** Ends with `/`; `.github/claw.yml`'s `branch_prefix`. */
  prefix?: string;
}

/** `claw/issue-42-fix-the-login-redirect`: lowercase ASCII words from the title, cut at a word boundary. */
export function branchName({
  issueNumber,
  title,
  prefix = DEFAULT_BRANCH_PREFIX,
}: BranchNameInput): string {
  if (!Number.isInteger(issueNumber) || issueNumber <= 0) {
    throw new RangeError(`issueNumber must be a positive integer, got ${issueNumber}`);
  }
  const stem = `${prefix}issue-${issueNumber}`;
  if (stem.length > MAX_BRANCH_LENGTH) {
    throw new RangeError(`branch prefix "${prefix}" leaves no room for the issue number`);
  }
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
  let name = stem;
  for (const word of words) {
    const next = `${name}-${word}`;
    if (next.length > MAX_BRANCH_LENGTH) {
      // A single word longer than the room left is cut rather than dropped, so the name still says something.
      if (name === stem) name = next.slice(0, MAX_BRANCH_LENGTH).replace(/-+$/, '');
      break;
    }
    name = next;
  }
  return name;
}

/** True when `branch` is one Claw names (under its prefix); ownership also needs the commits to be Claw's. */
export function hasClawPrefix(branch: string, prefix = DEFAULT_BRANCH_PREFIX): boolean {
  return branch.startsWith(prefix);
}

export interface BotIdentity {
  name: string;
  email: string;
}

/**
 * The App's bot user as GitHub shows it: `my-app[bot]` with `<bot user id>+my-app[bot]@users.noreply.github.com`.
 * `userId` is the bot *user's* id (`GET /users/my-app[bot]`), not the App id.
 */
export function botIdentity({ slug, userId }: { slug: string; userId: number }): BotIdentity {
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(slug)) throw new RangeError(`not an App slug: "${slug}"`);
  return { name: `${slug}[bot]`, email: `${userId}+${slug}[bot]@users.noreply.github.com` };
}
