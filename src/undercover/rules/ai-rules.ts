// Model and ML platforms: Anthropic, OpenAI, OpenRouter, Hugging Face, Replicate, Groq, Perplexity, xAI,
// LangSmith, Pinecone. Each key format comes from the provider's own documentation of its keys.
import type { Rule } from '../types.js';
import { provider, random } from './define-rule.js';

const tail = (prefixLength: number, bits: number) => (secret: string) =>
  random(bits)(secret.slice(prefixLength));

export const AI_RULES: readonly Rule[] = [
  provider({
    id: 'anthropic-api-key',
    description: 'Anthropic API key',
    keywords: ['sk-ant-api'],
    pattern: /sk-ant-api\d{2}-[A-Za-z0-9_-]{80,100}AA/g,
    validate: tail(13, 4),
  }),
  provider({
    id: 'anthropic-admin-key',
    description: 'Anthropic Admin API key',
    keywords: ['sk-ant-admin'],
    pattern: /sk-ant-admin\d{2}-[A-Za-z0-9_-]{80,100}AA/g,
    validate: tail(15, 4),
  }),
  provider({
    id: 'anthropic-oauth-token',
    description: 'Anthropic (Claude) OAuth access or refresh token',
    keywords: ['sk-ant-oat', 'sk-ant-ort'],
    pattern: /sk-ant-o(?:at|rt)\d{2}-[A-Za-z0-9_-]{60,140}/g,
    validate: tail(13, 4),
  }),
  provider({
    id: 'openai-api-key',
    description: 'OpenAI user API key (legacy format with the T3BlbkFJ marker)',
    keywords: ['t3blbkfj'],
    pattern: /sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}/g,
  }),
  provider({
    id: 'openai-project-key',
    description: 'OpenAI project API key',
    keywords: ['sk-proj-'],
    pattern: /sk-proj-[A-Za-z0-9_-]{40,250}/g,
    validate: tail(8, 4),
  }),
  provider({
    id: 'openai-service-account-key',
    description: 'OpenAI service-account API key',
    keywords: ['sk-svcacct-'],
    pattern: /sk-svcacct-[A-Za-z0-9_-]{40,250}/g,
    validate: tail(11, 4),
  }),
  provider({
    id: 'openai-admin-key',
    description: 'OpenAI admin API key',
    keywords: ['sk-admin-'],
    pattern: /sk-admin-[A-Za-z0-9_-]{40,250}/g,
    validate: tail(9, 4),
  }),
  provider({
    id: 'openrouter-api-key',
    description: 'OpenRouter API key',
    keywords: ['sk-or-v1-'],
    pattern: /sk-or-v1-[a-f0-9]{64}/g,
  }),
  provider({
    id: 'huggingface-access-token',
    description: 'Hugging Face user access token',
    keywords: ['hf_'],
    pattern: /hf_[A-Za-z]{34}/g,
    validate: tail(3, 3.8),
  }),
  provider({
    id: 'huggingface-org-token',
    description: 'Hugging Face organization API token',
    keywords: ['api_org_'],
    pattern: /api_org_[A-Za-z]{34}/g,
    validate: tail(8, 3.8),
  }),
  provider({
    id: 'replicate-api-token',
    description: 'Replicate API token',
    keywords: ['r8_'],
    pattern: /r8_[A-Za-z0-9]{37}/g,
    validate: tail(3, 3.8),
  }),
  provider({
    id: 'groq-api-key',
    description: 'Groq API key',
    keywords: ['gsk_'],
    pattern: /gsk_[A-Za-z0-9]{52}/g,
    validate: tail(4, 4),
  }),
  provider({
    id: 'perplexity-api-key',
    description: 'Perplexity API key',
    keywords: ['pplx-'],
    pattern: /pplx-[A-Za-z0-9]{48}/g,
    validate: tail(5, 4),
  }),
  provider({
    id: 'xai-api-key',
    description: 'xAI (Grok) API key',
    keywords: ['xai-'],
    pattern: /xai-[A-Za-z0-9]{80}/g,
    validate: tail(4, 4),
  }),
  provider({
    id: 'langsmith-api-key',
    description: 'LangSmith personal or service key',
    keywords: ['lsv2_'],
    pattern: /lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}/g,
  }),
  provider({
    id: 'pinecone-api-key',
    description: 'Pinecone API key',
    keywords: ['pcsk_'],
    pattern: /pcsk_[A-Za-z0-9]{4,8}_[A-Za-z0-9]{50,80}/g,
    validate: tail(5, 4),
  }),
];
