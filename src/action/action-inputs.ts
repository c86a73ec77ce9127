// The Action's inputs as the runner passes them (INPUT_<NAME>, upper-cased, spaces as `_`), validated with zod.
// Every input in action.yml is listed here; an empty string means "not set", as the runner sends it.
import { z } from 'zod';
import { ConfigError } from '../lib/index.js';
import { splitDenyTerms } from '../undercover/index.js';

export const ACTION_MODES = ['auto', 'review', 'resolve'] as const;
export type ActionMode = (typeof ACTION_MODES)[number];

const optionalText = z
  .string()
  .transform((value) => value.trim())
  .transform((value) => (value === '' ? undefined : value));

const positive = (integer: boolean) =>
  optionalText.pipe(
    z
      .string()
      .optional()
      .transform((value, context) => {
        if (value === undefined) return undefined;
        const number = Number(value);
        if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
          context.addIssue({
            code: 'custom',
            message: `must be a positive ${integer ? 'whole number' : 'number'}, got "${value}"`,
          });
          return z.NEVER;
        }
        return number;
      }),
  );

const list = optionalText.transform((value) =>
  value === undefined
    ? []
    : value
        .split(/[\n,]/)
        .map((item) => item.trim())
        .filter((item) => item !== ''),
);

export const ActionInputs = z.object({
  anthropic_api_key: optionalText,
  anthropic_base_url: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  openai_api_key: optionalText,
  openai_base_url: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  github_token: optionalText,
  bot_login: optionalText.transform((value) => value ?? 'github-actions[bot]'),
  trigger_phrase: optionalText,
  label_trigger: optionalText,
  assignee_trigger: optionalText,
  mode: optionalText.pipe(z.enum(ACTION_MODES).optional()).transform((mode) => mode ?? 'auto'),
  model: optionalText,
  max_turns: positive(true),
  max_cost_usd: positive(false),
  timeout_minutes: positive(true),
  base_branch: optionalText,
  branch_prefix: optionalText.transform((value) =>
    value === undefined || value.endsWith('/') ? value : `${value}/`,
  ),
  allowed_bots: list,
  redact_terms: optionalText.transform((value) =>
    value === undefined ? [] : value.split('\n').flatMap((line) => splitDenyTerms(line)),
  ),
  attribution: optionalText.pipe(z.enum(['keep', 'strip']).optional()),
  prompt: optionalText,
});
export type ActionInputs = z.infer<typeof ActionInputs>;

/** The names of action.yml's inputs, in its order. */
export const ACTION_INPUT_NAMES = Object.keys(ActionInputs.shape) as (keyof ActionInputs)[];

/** Inputs that hold secrets: masked in the log, known to the redactor, removed from the environment. */
export const SECRET_INPUTS = ['anthropic_api_key', 'openai_api_key', 'github_token'] as const;

/** The runner's name for an input: `INPUT_` plus the name upper-cased, spaces replaced by `_`. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Reads and validates every input; a bad one fails with its name and the expected form. */
export function parseActionInputs(env: NodeJS.ProcessEnv): ActionInputs {
  const raw = Object.fromEntries(
    ACTION_INPUT_NAMES.map((name) => [name, env[inputEnvName(name)] ?? '']),
  );
  const result = ActionInputs.safeParse(raw);
  if (!result.success)
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        key: String(issue.path[0] ?? '(inputs)'),
        message: issue.message,
      })),
    );
  return result.data;
}
