// Cloud platforms: AWS, Google Cloud and Firebase, Azure, Alibaba, Tencent, Yandex, DigitalOcean, Heroku,
// Cloudflare, IBM-free. Formats from each provider's documentation of its key and token shapes.
import type { Rule } from '../types.js';
import { assigned, decodeBase64, provider, random, randomMixed } from './define-rule.js';

const AWS_KEY_ID = /(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}/g;
const AWS_SECRET_SHAPE = /[A-Za-z0-9/+]{40}/g;
const awsSecretLooksRandom = randomMixed(4, 3);

/** An AWS secret access key has no prefix; it is recognised next to an access key id. */
function* awsSecretNearKeyId(text: string): Iterable<{ start: number; end: number }> {
  for (const id of text.matchAll(AWS_KEY_ID)) {
    const from = Math.max(0, id.index - 300);
    const to = Math.min(text.length, id.index + 320);
    const window = text.slice(from, to);
    for (const candidate of window.matchAll(AWS_SECRET_SHAPE)) {
      const start = from + candidate.index;
      const end = start + 40;
      const before = text[start - 1];
      const after = text[end];
      if (before !== undefined && /[A-Za-z0-9/+=]/.test(before)) continue;
      if (after !== undefined && /[A-Za-z0-9/+=]/.test(after)) continue;
      if (awsSecretLooksRandom(candidate[0])) yield { start, end };
    }
  }
}

export const CLOUD_RULES: readonly Rule[] = [
  provider({
    id: 'aws-access-key-id',
    description: 'AWS access key id (long-term AKIA, temporary ASIA)',
    keywords: ['akia', 'asia', 'abia', 'acca'],
    pattern: AWS_KEY_ID,
    validate: (secret) => !secret.endsWith('EXAMPLE') && random(3)(secret.slice(4)),
    examples: ['AKIAIOSFODNN7EXAMPLE', 'AKIAI44QH8DHBEXAMPLE'],
  }),
  provider({
    id: 'aws-secret-access-key',
    description: 'AWS secret access key assigned to an AWS-named key',
    keywords: [
      'secret_access_key',
      'secretaccesskey',
      'aws_secret',
      'aws-secret',
      'secret-access-key',
    ],
    pattern: assigned(
      'secret_?access_?key|aws_?secret(?:_?access)?_?key|secret-access-key|aws-secret-key',
      '[A-Za-z0-9/+]{40}',
    ),
    group: 1,
    validate: awsSecretLooksRandom,
    examples: [
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
    ],
  }),
  provider({
    id: 'aws-secret-key-near-id',
    description: 'AWS secret access key within a few lines of an access key id',
    keywords: ['akia', 'asia', 'abia', 'acca'],
    scan: awsSecretNearKeyId,
    examples: [
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
    ],
    boundary: false,
  }),
  provider({
    id: 'aws-session-token',
    description: 'AWS temporary session token',
    keywords: ['session_token', 'sessiontoken', 'security_token', 'session-token'],
    pattern: assigned(
      'aws_?session_?token|aws_?security_?token|SessionToken|x-amz-security-token',
      '[A-Za-z0-9/+=]{100,2000}',
    ),
    group: 1,
    validate: randomMixed(4.5, 3),
  }),
  provider({
    id: 'aws-mws-auth-token',
    description: 'Amazon Marketplace Web Service auth token',
    keywords: ['amzn.mws.'],
    pattern: /amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
  }),
  provider({
    id: 'aws-bedrock-api-key',
    description: 'Amazon Bedrock long-term API key (ABSK + base64 of "BedrockAPIKey-")',
    keywords: ['absk'],
    pattern: /ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{40,300}={0,2}/g,
  }),
  provider({
    id: 'google-api-key',
    description: 'Google API key (Maps, Gemini, Firebase web keys)',
    keywords: ['aiza'],
    pattern: /AIza[0-9A-Za-z_-]{35}/g,
    validate: (secret) => random(3.5)(secret.slice(4)),
  }),
  provider({
    id: 'google-oauth-client-secret',
    description: 'Google OAuth client secret',
    keywords: ['gocspx-'],
    pattern: /GOCSPX-[A-Za-z0-9_-]{28}/g,
  }),
  provider({
    id: 'google-oauth-access-token',
    description: 'Google OAuth 2.0 access token',
    keywords: ['ya29.'],
    pattern: /ya29\.[0-9A-Za-z_-]{30,500}/g,
    validate: (secret) => random(4)(secret.slice(5)),
  }),
  provider({
    id: 'google-oauth-refresh-token',
    description: 'Google OAuth 2.0 refresh token',
    keywords: ['1//0'],
    pattern: /1\/\/0[0-9A-Za-z_-]{40,300}/g,
    validate: (secret) => random(4)(secret.slice(4)),
  }),
  provider({
    id: 'gcp-service-account-key-id',
    description:
      'The key id of a GCP service-account JSON key (the key itself is caught as a private key)',
    keywords: ['private_key_id'],
    pattern: /"private_key_id"\s{0,4}:\s{0,4}"([0-9a-f]{40})"/g,
    group: 1,
    validate: random(3.2),
  }),
  provider({
    id: 'firebase-cloud-messaging-server-key',
    description: 'Firebase Cloud Messaging legacy server key',
    keywords: [':apa91b'],
    pattern: /AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{100,200}/g,
  }),
  provider({
    id: 'azure-storage-account-key',
    description: 'Azure Storage / Cosmos DB account key in a connection string',
    keywords: ['accountkey='],
    pattern: /AccountKey=([A-Za-z0-9+/]{86}==)/g,
    group: 1,
    validate: random(4.5),
  }),
  provider({
    id: 'azure-shared-access-key',
    description: 'Azure Service Bus / Event Hubs / IoT Hub shared access key',
    keywords: ['sharedaccesskey='],
    pattern: /SharedAccessKey=([A-Za-z0-9+/]{42,44}=)/g,
    group: 1,
    validate: random(4.2),
  }),
  provider({
    id: 'azure-sas-token',
    description: 'Azure shared access signature (sig= of a SAS URL)',
    keywords: ['sig='],
    pattern: /[?&]sig=([A-Za-z0-9%+/]{40,120}(?:%3D|=){0,2})/g,
    group: 1,
    validate: (secret, text, start) =>
      /[?&](?:sv|se|sp|sr|spr)=/.test(text.slice(Math.max(0, start - 400), start)) &&
      random(4)(secret),
    boundary: false,
  }),
  provider({
    id: 'azure-ad-client-secret',
    description: 'Microsoft Entra ID (Azure AD) application client secret',
    keywords: ['q~'],
    pattern: /[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}/g,
    validate: randomMixed(4, 3),
  }),
  provider({
    id: 'azure-devops-pat',
    description: 'Azure DevOps personal access token (84 characters, AZDO signature)',
    keywords: ['azdo'],
    pattern: /[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}/g,
    validate: random(4),
  }),
  provider({
    id: 'alibaba-access-key-id',
    description: 'Alibaba Cloud AccessKey id',
    keywords: ['ltai'],
    pattern: /LTAI[A-Za-z0-9]{12,20}/g,
    validate: (secret) => randomMixed(3.2, 2)(secret.slice(4)),
  }),
  provider({
    id: 'tencent-secret-id',
    description: 'Tencent Cloud SecretId',
    keywords: ['akid'],
    pattern: /AKID[A-Za-z0-9]{32}/g,
    validate: (secret) => randomMixed(4, 3)(secret.slice(4)),
  }),
  provider({
    id: 'yandex-api-key',
    description: 'Yandex Cloud API key',
    keywords: ['aqvn'],
    pattern: /AQVN[A-Za-z0-9_-]{35,38}/g,
    validate: (secret) => randomMixed(4, 3)(secret.slice(4)),
  }),
  provider({
    id: 'digitalocean-pat',
    description: 'DigitalOcean personal access token',
    keywords: ['dop_v1_'],
    pattern: /dop_v1_[a-f0-9]{64}/g,
  }),
  provider({
    id: 'digitalocean-oauth-token',
    description: 'DigitalOcean OAuth access token',
    keywords: ['doo_v1_'],
    pattern: /doo_v1_[a-f0-9]{64}/g,
  }),
  provider({
    id: 'digitalocean-refresh-token',
    description: 'DigitalOcean OAuth refresh token',
    keywords: ['dor_v1_'],
    pattern: /dor_v1_[a-f0-9]{64}/g,
  }),
  provider({
    id: 'heroku-api-key',
    description: 'Heroku API key (HRKU- format)',
    keywords: ['hrku-'],
    pattern: /HRKU-[A-Za-z0-9_-]{56,70}/g,
    validate: (secret) => random(4)(secret.slice(5)),
  }),
  provider({
    id: 'heroku-api-key-legacy',
    description: 'Heroku API key in the legacy UUID form, assigned to a Heroku-named key',
    keywords: ['heroku'],
    pattern: assigned(
      'heroku[\\w.-]{0,20}?(?:api|key|token|secret|auth)',
      '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
    ),
    group: 1,
    validate: random(3),
  }),
  provider({
    id: 'cloudflare-origin-ca-key',
    description: 'Cloudflare Origin CA key',
    keywords: ['v1.0-'],
    pattern: /v1\.0-[a-f0-9]{24}-[a-f0-9]{146}/g,
  }),
  provider({
    id: 'cloudflare-api-token',
    description: 'Cloudflare API token assigned to a Cloudflare-named key',
    keywords: ['cloudflare', 'cf_api'],
    pattern: assigned('(?:cloudflare|cf)_?api_?(?:token|key)', '[A-Za-z0-9_-]{40}'),
    group: 1,
    validate: randomMixed(4, 3),
  }),
  provider({
    id: 'kubernetes-base64-private-key',
    description:
      'A base64-encoded PEM private key (kubeconfig client-key-data, Kubernetes secrets)',
    keywords: ['ls0tls1crudjtib'],
    pattern: /LS0tLS1CRUdJTiB[A-Za-z0-9+/]{40,20000}={0,2}/g,
    validate: (secret) => /PRIVATE KEY/.test(decodeBase64(secret.slice(0, 120))),
  }),
];
