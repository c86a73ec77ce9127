// Real webhook payloads from @octokit/webhooks-examples (recorded from github.com), by event and action.
import { createRequire } from 'node:module';

interface ExampleGroup {
  name: string;
  actions: string[];
  examples: Record<string, unknown>[];
}

const require = createRequire(import.meta.url);
const groups = require('@octokit/webhooks-examples') as ExampleGroup[];

/** Every recorded payload of an event, optionally only one action; a deep copy, safe to mutate. */
export function webhookExamples<T = Record<string, unknown>>(event: string, action?: string): T[] {
  const group = groups.find((candidate) => candidate.name === event);
  if (group === undefined) throw new Error(`@octokit/webhooks-examples has no event "${event}"`);
  const matching = group.examples.filter(
    (payload) => action === undefined || payload.action === action,
  );
  if (matching.length === 0) {
    throw new Error(`@octokit/webhooks-examples has no "${event}" payload with action "${action}"`);
  }
  return matching.map((payload) => structuredClone(payload) as T);
}

/** The first recorded payload of an event and action. */
export function webhookExample<T = Record<string, unknown>>(event: string, action?: string): T {
  return webhookExamples<T>(event, action)[0] as T;
}

export function webhookEventNames(): string[] {
  return groups.map((group) => group.name);
}
