// Builds a Provider from a name (`anthropic`, `openai`, `scripted:FILE`) and settings, with usage errors
// that say what is missing; the CLI and the job layer share it.
import { UsageError } from '../../lib/index.js';
import type { PriceTable } from '../pricing.js';
import type { Provider } from '../types.js';
import { createAnthropicProvider } from './anthropic.js';
import { createOpenAIProvider } from './openai-compatible.js';
import type { RetryOptions } from './retry.js';
import { createScriptedProvider, loadScriptedTranscript } from './scripted.js';

export const DEFAULT_MODELS = { anthropic: 'claude-sonnet-4-6', openai: 'gpt-5' } as const;

export interface ProviderSettings {
  /** `anthropic`, `openai` or `scripted:FILE`. */
  provider: string;
  model?: string | undefined;
  anthropicApiKey?: string | undefined;
  anthropicBaseUrl?: string | undefined;
  openaiApiKey?: string | undefined;
  openaiBaseUrl?: string | undefined;
  prices?: PriceTable | undefined;
  contextWindow?: number | undefined;
  retry?: RetryOptions | undefined;
}

export function createProvider(settings: ProviderSettings): Provider {
  const common = {
    ...(settings.prices !== undefined ? { prices: settings.prices } : {}),
    ...(settings.contextWindow !== undefined ? { contextWindow: settings.contextWindow } : {}),
    ...(settings.retry !== undefined ? { retry: settings.retry } : {}),
  };
  if (settings.provider === 'anthropic') {
    if (settings.anthropicApiKey === undefined)
      throw new UsageError(
        'The anthropic provider needs ANTHROPIC_API_KEY; set it or choose another --provider.',
      );
    return createAnthropicProvider({
      apiKey: settings.anthropicApiKey,
      model: settings.model ?? DEFAULT_MODELS.anthropic,
      ...(settings.anthropicBaseUrl !== undefined ? { baseURL: settings.anthropicBaseUrl } : {}),
      ...common,
    });
  }
  if (settings.provider === 'openai') {
    if (settings.openaiApiKey === undefined && settings.openaiBaseUrl === undefined)
      throw new UsageError(
        'The openai provider needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server); set it or choose another --provider.',
      );
    return createOpenAIProvider({
      model: settings.model ?? DEFAULT_MODELS.openai,
      ...(settings.openaiApiKey !== undefined ? { apiKey: settings.openaiApiKey } : {}),
      ...(settings.openaiBaseUrl !== undefined ? { baseURL: settings.openaiBaseUrl } : {}),
      ...common,
    });
  }
  if (settings.provider.startsWith('scripted:')) {
    const file = settings.provider.slice('scripted:'.length);
    if (file === '')
      throw new UsageError('scripted needs a file: --provider scripted:path/to/turns.json');
    return createScriptedProvider(loadScriptedTranscript(file), {
      ...(settings.model !== undefined ? { model: settings.model } : {}),
      ...common,
    });
  }
  throw new UsageError(
    `Unknown provider "${settings.provider}"; use anthropic, openai or scripted:FILE.`,
  );
}
