// A cheap, provider-neutral token estimate (about four characters per token) for compaction decisions
// and for scripted turns that do not state their usage.
import type { ModelRequest } from './types.js';

const CHARS_PER_TOKEN = 4;

export function estimateTokens(value: unknown): number {
  if (typeof value === 'string') return Math.ceil(value.length / CHARS_PER_TOKEN);
  if (isRequest(value)) {
    return (
      estimateTokens(value.system) +
      estimateTokens(JSON.stringify(value.tools)) +
      estimateTokens(JSON.stringify(value.messages))
    );
  }
  return Math.ceil((JSON.stringify(value) ?? '').length / CHARS_PER_TOKEN);
}

function isRequest(value: unknown): value is ModelRequest {
  return (
    typeof value === 'object' &&
    value !== null &&
    'system' in value &&
    'messages' in value &&
    'tools' in value
  );
}
