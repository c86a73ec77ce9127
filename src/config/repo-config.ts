// `.github/claw.yml`: the per-repository settings, validated with zod. Every key has a documented default,
// an invalid file is reported key by key (never silently ignored), and the JSON Schema is generated from this file.
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { RepoConfigError, type ConfigProblem } from '../lib/index.js';

export const REPO_CONFIG_PATH = '.github/claw.yml';

const Glob = z.string().min(1).meta({ description: 'A glob such as `src/**` or `**/*.lock`.' });

export const ReviewConfig = z
  .object({
    auto: z
      .boolean()
      .default(false)
      .meta({
        description:
          'Review pull requests automatically when they are opened, reopened, marked ready or pushed to.',
      }),
    drafts: z.boolean().default(false).meta({ description: 'Also review draft pull requests.' }),
    paths: z
      .array(Glob)
      .default([])
      .meta({ description: 'Only review files matching these globs (all files when empty).' }),
    ignore: z
      .array(Glob)
      .default(['**/*.lock', '**/package-lock.json', '**/dist/**', '**/*.min.js'])
      .meta({ description: 'Never review files matching these globs.' }),
    max_diff_lines: z
      .number()
      .int()
      .positive()
      .default(3000)
      .meta({
        description: 'Above this many changed lines, only the most important files are reviewed.',
      }),
    nitpicks: z
      .boolean()
      .default(false)
      .meta({
        description:
          'Also comment on style and naming, not only on bugs, security and missing tests.',
      }),
    verdicts: z
      .array(z.enum(['comment', 'approve', 'request_changes']))
      .default(['comment'])
      .meta({ description: 'Review verdicts Claw may give; `comment` is always allowed.' }),
  })
  .strict();
export type ReviewConfig = z.infer<typeof ReviewConfig>;

export const BudgetConfig = z
  .object({
    max_turns: z
      .number()
      .int()
      .positive()
      .optional()
      .meta({ description: 'Model turns per job (capped by the server limit).' }),
    max_cost_usd: z
      .number()
      .positive()
      .optional()
      .meta({ description: 'Model spend per job in USD (capped by the server limit).' }),
    timeout_minutes: z
      .number()
      .int()
      .positive()
      .optional()
      .meta({ description: 'Wall-clock limit per job (capped by the server limit).' }),
  })
  .strict();
export type BudgetConfig = z.infer<typeof BudgetConfig>;

export const RepoConfig = z
  .object({
    trigger_phrase: z
      .string()
      .regex(/^@?[A-Za-z0-9][A-Za-z0-9_-]*(\[bot\])?$/, 'must be a mention such as @claw')
      .default('@claw')
      .meta({
        description: 'The mention that triggers Claw in issues, pull requests and reviews.',
      }),
    label: z
      .string()
      .min(1)
      .default('claw')
      .meta({ description: 'Adding this label to an issue asks Claw to resolve it.' }),
    allowed_bots: z
      .array(z.string().min(1))
      .default([])
      .meta({
        description:
          'Bot accounts (e.g. `renovate[bot]`) whose mentions may trigger Claw. Humans need write access.',
      }),
    base_branch: z
      .string()
      .min(1)
      .optional()
      .meta({
        description: "The branch pull requests target; the repository's default branch when unset.",
      }),
    branch_prefix: z
      .string()
      .regex(/^[A-Za-z0-9._/-]+\/$/, 'must end with / and contain only letters, digits, . _ - /')
      .default('claw/')
      .meta({ description: 'Prefix of the branches Claw creates.' }),
    draft_pull_requests: z
      .boolean()
      .default(false)
      .meta({ description: 'Open pull requests as drafts.' }),
    model: z
      .string()
      .min(1)
      .optional()
      .meta({
        description: 'The model to use for this repository; the server default when unset.',
      }),
    budgets: BudgetConfig.default({}).meta({
      description: 'Per-job limits; they can lower the server limits, never raise them.',
    }),
    review: ReviewConfig.default(ReviewConfig.parse({})).meta({
      description: 'Pull request reviews.',
    }),
    sandbox: z
      .object({
        network: z
          .boolean()
          .default(false)
          .meta({
            description:
              "Allow network access inside the agent's shell sandbox (e.g. to install packages).",
          }),
      })
      .strict()
      .default({ network: false })
      .meta({ description: "The agent's shell sandbox." }),
    redact_terms: z
      .array(z.string().min(1))
      .default([])
      .meta({
        description:
          'Extra internal terms (codenames, hosts, `/regex/`) that must never appear in anything Claw writes.',
      }),
    attribution: z
      .enum(['keep', 'strip'])
      .default('keep')
      .meta({
        description:
          'Keep or strip AI co-author trailers and "Generated with" lines in commits and pull requests.',
      }),
  })
  .strict();
export type RepoConfig = z.infer<typeof RepoConfig>;

export const DEFAULT_REPO_CONFIG: RepoConfig = RepoConfig.parse({});

function describeIssue(issue: z.core.$ZodIssue): ConfigProblem {
  const key = issue.path.map(String).join('.') || '(file)';
  if (issue.code === 'unrecognized_keys') {
    const prefix = key === '(file)' ? '' : `${key}.`;
    return {
      key: issue.keys.map((k) => `${prefix}${k}`).join(', '),
      message: 'is not a known setting (see docs/configuration.md)',
    };
  }
  if (issue.code === 'invalid_type') {
    const expected = issue.expected === 'boolean' ? 'true or false' : `a ${issue.expected}`;
    return { key, message: `must be ${expected}` };
  }
  if (issue.code === 'invalid_value') {
    return {
      key,
      message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
    };
  }
  return { key, message: issue.message };
}

/** Parses the text of `.github/claw.yml`; a missing or empty file means the defaults. */
export function parseRepoConfig(text: string | undefined): RepoConfig {
  if (text === undefined || text.trim() === '') return DEFAULT_REPO_CONFIG;
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    const where =
      error instanceof YAMLParseError && error.linePos ? `line ${error.linePos[0].line}` : '(file)';
    throw new RepoConfigError(
      [{ key: where, message: `is not valid YAML: ${(error as Error).message.split('\n')[0]}` }],
      { cause: error },
    );
  }
  if (document === null || document === undefined) return DEFAULT_REPO_CONFIG;
  const result = RepoConfig.safeParse(document);
  if (!result.success) throw new RepoConfigError(result.error.issues.map(describeIssue));
  return result.data;
}

/** The JSON Schema of `.github/claw.yml`, for editors and docs. */
export function repoConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(RepoConfig, { io: 'input' }) as Record<string, unknown>;
}
