// The repo config the Action runs with: `.github/claw.yml` from the default branch, with the step's inputs laid
// over it (scalars replace, lists add up), validated again so a bad input is named like a bad key.
import { RepoConfig } from '../config/index.js';
import { RepoConfigError } from '../lib/index.js';
import type { ActionInputs } from './action-inputs.js';

/** `{ [key]: value }`, or nothing when the input was left empty. */
function given<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/**
 * action.yml's defaults for inputs that `.github/claw.yml` also sets. The runner always sends a default, so an
 * input still at it does not override the file: a repo that chose `@helper` keeps it.
 */
export const INPUT_DEFAULTS = { trigger_phrase: '@claw', label_trigger: 'claw' } as const;

const chosen = (value: string | undefined, fallback: string) =>
  value === undefined || value === fallback ? undefined : value;

export function mergeInputsIntoConfig(config: RepoConfig, inputs: ActionInputs): RepoConfig {
  const merged = {
    ...config,
    ...given('trigger_phrase', chosen(inputs.trigger_phrase, INPUT_DEFAULTS.trigger_phrase)),
    ...given('label', chosen(inputs.label_trigger, INPUT_DEFAULTS.label_trigger)),
    ...given('base_branch', inputs.base_branch),
    ...given('branch_prefix', inputs.branch_prefix),
    ...given('model', inputs.model),
    ...given('attribution', inputs.attribution),
    allowed_bots: [...new Set([...config.allowed_bots, ...inputs.allowed_bots])],
    redact_terms: [...new Set([...config.redact_terms, ...inputs.redact_terms])],
    budgets: {
      ...config.budgets,
      ...given('max_turns', inputs.max_turns),
      ...given('max_cost_usd', inputs.max_cost_usd),
      ...given('timeout_minutes', inputs.timeout_minutes),
    },
    // mode: review is the workflow saying "review this pull request", whatever review.auto says.
    review: inputs.mode === 'review' ? { ...config.review, auto: true } : config.review,
  };
  const result = RepoConfig.safeParse(merged);
  if (!result.success)
    throw new RepoConfigError(
      result.error.issues.map((issue) => ({
        key: `input ${issue.path.map(String).join('.')}`,
        message: issue.message,
      })),
    );
  return result.data;
}
