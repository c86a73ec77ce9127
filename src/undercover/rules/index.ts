// The built-in rule set: every provider format and generic rule undercover ships with.
// Order does not matter; ids are unique (a test checks it) and each has positive and negative fixtures.
import type { Rule } from '../types.js';
import { AI_RULES } from './ai-rules.js';
import { CLOUD_RULES } from './cloud-rules.js';
import { GENERIC_RULES } from './generic-rules.js';
import { GITHUB_RULES } from './github-rules.js';
import { KEY_RULES } from './key-rules.js';
import { SAAS_RULES } from './saas-rules.js';

export const BUILTIN_RULES: readonly Rule[] = [
  ...GITHUB_RULES,
  ...CLOUD_RULES,
  ...AI_RULES,
  ...SAAS_RULES,
  ...KEY_RULES,
  ...GENERIC_RULES,
];
