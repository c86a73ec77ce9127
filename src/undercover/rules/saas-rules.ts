// Developer and business SaaS: chat, payments, mail, package registries, source hosting, observability,
// secrets managers, productivity and deploy platforms. Formats from each vendor's token documentation.
import type { Rule } from '../types.js';
import { assigned, provider, random, randomMixed } from './define-rule.js';

/** A token that is `prefix` followed by a body of `body` (a RegExp source); the prefix is the keyword. */
const prefixed = (
  id: string,
  description: string,
  prefix: string,
  body: string,
  options: { bits?: number; flags?: string; keyword?: string } = {},
): Rule => {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return provider({
    id,
    description,
    keywords: [options.keyword ?? prefix],
    pattern: new RegExp(`${escaped}${body}`, `g${options.flags ?? ''}`),
    validate: (secret) => random(options.bits ?? 3)(secret.slice(prefix.length)),
  });
};

export const SAAS_RULES: readonly Rule[] = [
  // Slack
  prefixed(
    'slack-bot-token',
    'Slack bot token',
    'xoxb-',
    '[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24}',
  ),
  prefixed(
    'slack-user-token',
    'Slack user token',
    'xoxp-',
    '[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-[a-f0-9]{32}',
  ),
  prefixed(
    'slack-app-token',
    'Slack app-level token',
    'xapp-',
    '[0-9]-[A-Z0-9]{9,12}-[0-9]{10,14}-[a-f0-9]{64}',
  ),
  prefixed(
    'slack-config-token',
    'Slack app configuration token',
    'xoxe.xox',
    '[bp]-[0-9]-[A-Za-z0-9]{140,180}',
  ),
  prefixed(
    'slack-config-refresh-token',
    'Slack configuration refresh token',
    'xoxe-',
    '[0-9]-[A-Za-z0-9]{140,180}',
  ),
  provider({
    id: 'slack-legacy-token',
    description: 'Slack legacy workspace, bot or user token (xoxa-, xoxo-, xoxr-, xoxs-)',
    keywords: ['xoxa-', 'xoxo-', 'xoxr-', 'xoxs-'],
    pattern: /xox[aors]-[0-9]{1,13}-[0-9A-Za-z-]{20,200}/g,
    validate: (secret) => random(3.5)(secret.slice(5)),
  }),
  provider({
    id: 'slack-webhook-url',
    description: 'Slack incoming webhook URL',
    keywords: ['hooks.slack.com/services/'],
    pattern: /hooks\.slack\.com\/services\/T[A-Z0-9]{8,12}\/B[A-Z0-9]{8,12}\/[A-Za-z0-9]{24}/g,
    validate: (secret) => random(3.5)(secret.slice(-24)),
  }),
  provider({
    id: 'slack-workflow-webhook-url',
    description: 'Slack workflow (trigger) webhook URL',
    keywords: ['hooks.slack.com/workflows/', 'hooks.slack.com/triggers/'],
    pattern:
      /hooks\.slack\.com\/(?:workflows|triggers)\/T[A-Z0-9]{8,12}\/[A-Z0-9]{8,12}\/[0-9]{6,20}\/[A-Za-z0-9]{32}/g,
    validate: (secret) => random(3.5)(secret.slice(-32)),
  }),
  // Chat and collaboration
  provider({
    id: 'discord-bot-token',
    description: 'Discord bot token',
    keywords: ['discord'],
    pattern: /[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}/g,
    validate: randomMixed(4, 3),
  }),
  provider({
    id: 'discord-webhook-url',
    description: 'Discord webhook URL',
    keywords: ['/api/webhooks/'],
    pattern: /discord(?:app)?\.com\/api\/webhooks\/[0-9]{17,20}\/[A-Za-z0-9_-]{60,68}/g,
    validate: (secret) => random(4)(secret.slice(-60)),
  }),
  provider({
    id: 'telegram-bot-token',
    description: 'Telegram Bot API token',
    keywords: [':aa'],
    pattern: /[0-9]{8,10}:AA[A-Za-z0-9_-]{33}/g,
    validate: (secret) => random(3.8)(secret.slice(secret.indexOf(':') + 1)),
  }),
  provider({
    id: 'microsoft-teams-webhook-url',
    description: 'Microsoft Teams incoming webhook URL',
    keywords: ['webhook.office.com/webhookb2/'],
    pattern:
      /webhook\.office\.com\/webhookb2\/[0-9a-f-]{36}@[0-9a-f-]{36}\/IncomingWebhook\/[a-f0-9]{32}\/[0-9a-f-]{36}/g,
  }),
  provider({
    id: 'zapier-webhook-url',
    description: 'Zapier catch-hook URL',
    keywords: ['hooks.zapier.com/hooks/catch/'],
    pattern: /hooks\.zapier\.com\/hooks\/catch\/[0-9]{4,12}\/[a-z0-9]{5,12}/g,
  }),
  prefixed('linear-api-key', 'Linear personal API key', 'lin_api_', '[A-Za-z0-9]{40}', { bits: 4 }),
  prefixed('linear-oauth-token', 'Linear OAuth access token', 'lin_oauth_', '[a-f0-9]{64}'),
  prefixed(
    'notion-integration-token',
    'Notion integration secret (secret_ format)',
    'secret_',
    '[A-Za-z0-9]{43}',
    { bits: 4 },
  ),
  prefixed(
    'notion-api-token',
    'Notion API token (ntn_ format)',
    'ntn_',
    '[0-9]{11}[A-Za-z0-9]{35}',
    { bits: 4 },
  ),
  prefixed(
    'atlassian-api-token',
    'Atlassian (Jira, Confluence) API token',
    'ATATT3',
    '[A-Za-z0-9_=-]{150,250}',
    { bits: 4 },
  ),
  prefixed('bitbucket-app-password', 'Bitbucket app password', 'ATBB', '[A-Za-z0-9]{28,40}', {
    bits: 4,
  }),
  prefixed(
    'bitbucket-access-token',
    'Bitbucket repository, project or workspace access token',
    'ATCTT3',
    '[A-Za-z0-9_=-]{150,250}',
    { bits: 4 },
  ),
  prefixed(
    'asana-pat',
    'Asana personal access token',
    '2/',
    '[0-9]{10,20}/[0-9]{10,20}:[a-f0-9]{32}',
    { keyword: 'asana' },
  ),
  prefixed(
    'airtable-pat',
    'Airtable personal access token',
    'pat',
    '[A-Za-z0-9]{14}\\.[a-f0-9]{64}',
    { keyword: 'pat' },
  ),
  prefixed(
    'typeform-pat',
    'Typeform personal access token',
    'tfp_',
    '[A-Za-z0-9_-]{44}_[A-Za-z0-9_-]{14}',
    { bits: 4 },
  ),
  prefixed('figma-pat', 'Figma personal access token', 'figd_', '[A-Za-z0-9_-]{40}', { bits: 4 }),
  prefixed('contentful-pat', 'Contentful personal access token', 'CFPAT-', '[A-Za-z0-9_-]{43}', {
    bits: 4,
  }),
  prefixed('frameio-token', 'Frame.io API token', 'fio-u-', '[A-Za-z0-9_=-]{64}', { bits: 4 }),
  prefixed('readme-api-key', 'ReadMe API key', 'rdme_', '[a-z0-9]{70}', { bits: 4 }),
  // Payments and commerce
  prefixed('stripe-secret-key', 'Stripe secret key', 'sk_', '(?:live|test)_[0-9A-Za-z]{24,247}', {
    bits: 3.5,
    keyword: 'sk_',
  }),
  prefixed(
    'stripe-restricted-key',
    'Stripe restricted key',
    'rk_',
    '(?:live|test)_[0-9A-Za-z]{24,247}',
    { bits: 3.5 },
  ),
  prefixed(
    'stripe-webhook-secret',
    'Stripe webhook signing secret',
    'whsec_',
    '[A-Za-z0-9+/=]{32,64}',
    { bits: 4 },
  ),
  prefixed('square-access-token', 'Square access token', 'EAAA', '[A-Za-z0-9_-]{60}', { bits: 4 }),
  prefixed(
    'square-legacy-access-token',
    'Square legacy access token',
    'sq0atp-',
    '[A-Za-z0-9_-]{22}',
    { bits: 3.5 },
  ),
  prefixed(
    'square-oauth-secret',
    'Square application (OAuth) secret',
    'sq0csp-',
    '[A-Za-z0-9_-]{43}',
    { bits: 4 },
  ),
  prefixed(
    'braintree-access-token',
    'Braintree / PayPal access token',
    'access_token$production$',
    '[0-9a-z]{16}\\$[0-9a-f]{32}',
  ),
  prefixed('shopify-access-token', 'Shopify Admin API access token', 'shpat_', '[a-fA-F0-9]{32}'),
  prefixed(
    'shopify-custom-app-token',
    'Shopify custom app access token',
    'shpca_',
    '[a-fA-F0-9]{32}',
  ),
  prefixed(
    'shopify-private-app-token',
    'Shopify private app password',
    'shppa_',
    '[a-fA-F0-9]{32}',
  ),
  prefixed('shopify-shared-secret', 'Shopify app shared secret', 'shpss_', '[a-fA-F0-9]{32}'),
  prefixed('shippo-api-token', 'Shippo API token', 'shippo_', '(?:live|test)_[a-f0-9]{40}'),
  prefixed('easypost-api-key', 'EasyPost production API key', 'EZAK', '[A-Za-z0-9]{54}', {
    bits: 4,
  }),
  prefixed('easypost-test-api-key', 'EasyPost test API key', 'EZTK', '[A-Za-z0-9]{54}', {
    bits: 4,
  }),
  prefixed(
    'flutterwave-secret-key',
    'Flutterwave secret key',
    'FLWSECK',
    '(?:_TEST)?-[a-f0-9]{32}-X',
  ),
  prefixed(
    'plaid-access-token',
    'Plaid access token',
    'access-',
    '(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
    { keyword: 'access-' },
  ),
  prefixed('duffel-api-token', 'Duffel API token', 'duffel_', '(?:test|live)_[A-Za-z0-9_-]{43}', {
    bits: 4,
  }),
  prefixed(
    'mapbox-secret-token',
    'Mapbox secret access token',
    'sk.eyJ',
    '[A-Za-z0-9_-]{20,200}\\.[A-Za-z0-9_-]{20,40}',
    { bits: 4 },
  ),
  // Mail and messaging
  prefixed('sendgrid-api-key', 'SendGrid API key', 'SG.', '[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}', {
    bits: 4,
  }),
  prefixed('mailgun-api-key', 'Mailgun API key (key- format)', 'key-', '[0-9a-f]{32}'),
  provider({
    id: 'mailgun-signing-key',
    description: 'Mailgun private API or webhook signing key assigned to a Mailgun-named key',
    keywords: ['mailgun'],
    pattern: assigned(
      'mailgun[\\w.-]{0,20}?(?:key|secret|token)',
      '[a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8}',
    ),
    group: 1,
  }),
  provider({
    id: 'mailchimp-api-key',
    description: 'Mailchimp API key (32 hex characters, then the data-center suffix -usN)',
    keywords: ['-us'],
    // "-us" is common ("en-us"), so the scan starts at each occurrence instead of at every position.
    scan: function* mailchimp(text) {
      for (const suffix of text.matchAll(/-us[0-9]{1,2}/g)) {
        const start = suffix.index - 32;
        if (start >= 0 && /^[0-9a-f]{32}$/.test(text.slice(start, suffix.index))) {
          yield { start, end: suffix.index + suffix[0].length };
        }
      }
    },
    validate: (secret) => random(3.2)(secret.slice(0, 32)),
  }),
  prefixed('mailersend-api-token', 'MailerSend API token', 'mlsn.', '[a-f0-9]{64}'),
  prefixed('resend-api-key', 'Resend API key', 're_', '[A-Za-z0-9]{8}_[A-Za-z0-9]{24}', {
    bits: 3.8,
  }),
  prefixed(
    'brevo-api-key',
    'Brevo (Sendinblue) API key',
    'xkeysib-',
    '[a-f0-9]{64}-[A-Za-z0-9]{16}',
  ),
  prefixed('twilio-api-key-sid', 'Twilio API key SID', 'SK', '[0-9a-f]{32}', { keyword: 'twilio' }),
  provider({
    id: 'twilio-auth-token',
    description: 'Twilio auth token assigned to a Twilio-named key',
    keywords: ['twilio'],
    pattern: assigned('twilio[\\w.-]{0,20}?(?:auth|token|secret)', '[a-f0-9]{32}'),
    group: 1,
    validate: random(3.2),
  }),
  // Package registries
  prefixed('npm-access-token', 'npm access token', 'npm_', '[A-Za-z0-9]{36}', { bits: 4 }),
  provider({
    id: 'npmrc-auth-token',
    description: 'Registry credential in an .npmrc (_authToken, _auth, _password)',
    keywords: ['_authtoken', '_auth', '_password'],
    pattern:
      /(?:_authToken|_auth|_password)[ \t]{0,4}=[ \t]{0,4}["']?([A-Za-z0-9_\-.+/=]{16,300})/g,
    group: 1,
    validate: randomMixed(3.5, 2),
    boundary: false,
  }),
  prefixed(
    'pypi-upload-token',
    'PyPI upload token',
    'pypi-AgEIcHlwaS5vcmc',
    '[A-Za-z0-9_-]{50,300}',
    { bits: 4 },
  ),
  prefixed(
    'pypi-test-upload-token',
    'TestPyPI upload token',
    'pypi-AgENdGVzdC5weXBpLm9yZw',
    '[A-Za-z0-9_-]{50,300}',
    { bits: 4 },
  ),
  prefixed('rubygems-api-key', 'RubyGems API key', 'rubygems_', '[a-f0-9]{48}'),
  prefixed('nuget-api-key', 'NuGet API key', 'oy2', '[a-z0-9]{43}', { bits: 4 }),
  prefixed('crates-io-token', 'crates.io API token', 'cio', '[A-Za-z0-9]{32}', { bits: 4 }),
  prefixed('clojars-token', 'Clojars deploy token', 'CLOJARS_', '[a-z0-9]{60}'),
  prefixed('docker-hub-pat', 'Docker Hub personal access token', 'dckr_pat_', '[A-Za-z0-9_-]{27}', {
    bits: 3.8,
  }),
  prefixed('jfrog-api-key', 'JFrog Artifactory API key', 'AKCp', '[A-Za-z0-9]{69}', { bits: 4 }),
  prefixed(
    'jfrog-reference-token',
    'JFrog reference token',
    'cmVmdGtuOjAxOj',
    '[A-Za-z0-9]{40,80}',
    { bits: 4 },
  ),
  // Source hosting and CI
  prefixed(
    'gitlab-pat',
    'GitLab personal, project or group access token',
    'glpat-',
    '[A-Za-z0-9_.-]{20,100}',
    { bits: 3.5 },
  ),
  prefixed(
    'gitlab-pipeline-trigger-token',
    'GitLab pipeline trigger token',
    'glptt-',
    '[A-Za-z0-9_-]{20,64}',
    { bits: 3.5 },
  ),
  prefixed(
    'gitlab-runner-token',
    'GitLab runner authentication token',
    'glrt-',
    '[A-Za-z0-9_.-]{20,100}',
    { bits: 3.5 },
  ),
  prefixed(
    'gitlab-runner-registration-token',
    'GitLab runner registration token',
    'GR1348941',
    '[A-Za-z0-9_-]{20}',
    { bits: 3.5 },
  ),
  prefixed('gitlab-deploy-token', 'GitLab deploy token', 'gldt-', '[A-Za-z0-9_-]{20,64}', {
    bits: 3.5,
  }),
  prefixed('gitlab-feed-token', 'GitLab feed token', 'glft-', '[A-Za-z0-9_-]{20,64}', {
    bits: 3.5,
  }),
  prefixed(
    'gitlab-oauth-app-secret',
    'GitLab OAuth application secret',
    'gloas-',
    '[A-Za-z0-9_-]{64}',
    { bits: 3.5 },
  ),
  prefixed('gitlab-scim-token', 'GitLab SCIM OAuth token', 'glsoat-', '[A-Za-z0-9_-]{20,64}', {
    bits: 3.5,
  }),
  prefixed(
    'gitlab-incoming-email-token',
    'GitLab incoming email token',
    'glimt-',
    '[A-Za-z0-9_-]{25,64}',
    { bits: 3.5 },
  ),
  prefixed(
    'gitlab-agent-token',
    'GitLab agent for Kubernetes token',
    'glagent-',
    '[A-Za-z0-9_-]{50,100}',
    { bits: 3.5 },
  ),
  prefixed(
    'gitlab-feature-flags-token',
    'GitLab feature flags client token',
    'glffct-',
    '[A-Za-z0-9_-]{20,64}',
    { bits: 3.5 },
  ),
  prefixed('gitlab-ci-job-token', 'GitLab CI/CD job token', 'glcbt-', '[A-Za-z0-9_-]{20,100}', {
    bits: 3.5,
  }),
  prefixed('buildkite-api-token', 'Buildkite user API token', 'bkua_', '[a-f0-9]{40}'),
  prefixed(
    'circleci-pat',
    'CircleCI personal API token',
    'CCIPAT_',
    '[A-Za-z0-9]{22}_[a-f0-9]{40}',
  ),
  prefixed('octopus-deploy-api-key', 'Octopus Deploy API key', 'API-', '[A-Z0-9]{26}', {
    bits: 3.5,
  }),
  prefixed(
    'harness-pat',
    'Harness personal or service-account token',
    'pat.',
    '[A-Za-z0-9_-]{22}\\.[a-f0-9]{24}\\.[A-Za-z0-9]{20}',
  ),
  prefixed('sonarqube-token', 'SonarQube / SonarCloud token', 'sq', '[pua]_[a-f0-9]{40}', {
    keyword: 'sq',
  }),
  prefixed('pulumi-access-token', 'Pulumi access token', 'pul-', '[a-f0-9]{40}'),
  prefixed('postman-api-key', 'Postman API key', 'PMAK-', '[a-f0-9]{24}-[a-f0-9]{34}'),
  prefixed(
    'terraform-cloud-token',
    'Terraform Cloud / HCP Terraform API token',
    '',
    '[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,90}',
    { keyword: 'atlasv1', bits: 4 },
  ),
  // Observability
  provider({
    id: 'datadog-api-key',
    description: 'Datadog API key assigned to a Datadog-named key',
    keywords: ['datadog', 'dd_api', 'dd-api', 'ddapi'],
    pattern: assigned('(?:datadog|dd)[_-]?api[_-]?key', '[a-f0-9]{32}'),
    group: 1,
    validate: random(3.2),
  }),
  provider({
    id: 'datadog-app-key',
    description: 'Datadog application key assigned to a Datadog-named key',
    keywords: ['datadog', 'dd_app', 'dd-app', 'ddapp'],
    pattern: assigned('(?:datadog|dd)[_-]?app(?:lication)?[_-]?key', '[a-f0-9]{40}'),
    group: 1,
    validate: random(3.2),
  }),
  provider({
    id: 'sentry-dsn',
    description: 'Sentry DSN (its key authorises sending events)',
    keywords: ['sentry', 'ingest'],
    pattern:
      /https?:\/\/([a-f0-9]{32})(?::[a-f0-9]{32})?@[A-Za-z0-9.-]{0,100}(?:sentry|ingest)[A-Za-z0-9.-]{0,100}(?::[0-9]{1,5})?\/[0-9]{1,12}/g,
    group: 1,
    validate: random(3.2),
  }),
  prefixed(
    'sentry-org-token',
    'Sentry organization auth token',
    'sntrys_',
    'eyJ[A-Za-z0-9+/=_-]{80,400}',
    { bits: 4 },
  ),
  prefixed('sentry-user-token', 'Sentry user auth token', 'sntryu_', '[a-f0-9]{64}'),
  prefixed(
    'grafana-cloud-token',
    'Grafana Cloud API token',
    'glc_',
    '[A-Za-z0-9+/]{32,400}={0,2}',
    { bits: 4 },
  ),
  prefixed(
    'grafana-service-account-token',
    'Grafana service-account token',
    'glsa_',
    '[A-Za-z0-9]{32}_[a-f0-9]{8}',
    { bits: 4 },
  ),
  prefixed('new-relic-user-key', 'New Relic user API key', 'NRAK-', '[A-Z0-9]{27}', { bits: 3.5 }),
  prefixed('new-relic-insert-key', 'New Relic insert key', 'NRII-', '[A-Za-z0-9_-]{32}', {
    bits: 3.5,
  }),
  prefixed('new-relic-browser-key', 'New Relic browser API key', 'NRJS-', '[a-f0-9]{19}'),
  prefixed('dynatrace-api-token', 'Dynatrace API token', 'dt0c01.', '[A-Z0-9]{24}\\.[A-Z0-9]{64}', {
    bits: 3.5,
  }),
  // Secrets managers, data and deploy platforms
  prefixed(
    'vault-service-token',
    'HashiCorp Vault service token',
    'hvs.',
    '[A-Za-z0-9_-]{90,120}',
    { bits: 4 },
  ),
  prefixed('vault-batch-token', 'HashiCorp Vault batch token', 'hvb.', '[A-Za-z0-9_-]{130,300}', {
    bits: 4,
  }),
  provider({
    id: 'doppler-token',
    description: 'Doppler personal, service, service-account, CLI, SCIM or audit token',
    keywords: ['dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.', 'dp.scim.', 'dp.audit.'],
    pattern: /dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9._]{40,60}/g,
    validate: (secret) => random(4)(secret.slice(secret.lastIndexOf('.') + 1)),
  }),
  prefixed(
    'onepassword-service-account-token',
    '1Password service-account token',
    'ops_',
    'eyJ[A-Za-z0-9+/=_-]{250,2000}',
    { bits: 4 },
  ),
  prefixed(
    'onepassword-secret-key',
    '1Password account secret key',
    'A3-',
    '[A-Z0-9]{6}-[A-Z0-9]{6}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}',
    { bits: 3.5 },
  ),
  prefixed(
    'age-secret-key',
    'age encryption secret key',
    'AGE-SECRET-KEY-1',
    '[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}',
    { bits: 3.5 },
  ),
  prefixed(
    'databricks-api-token',
    'Databricks personal access token',
    'dapi',
    '[a-f0-9]{32}(?:-[0-9])?',
  ),
  prefixed('supabase-access-token', 'Supabase personal access token', 'sbp_', '[a-f0-9]{40}'),
  prefixed('supabase-secret-key', 'Supabase secret API key', 'sb_secret_', '[A-Za-z0-9_-]{31,40}', {
    bits: 4,
  }),
  prefixed(
    'planetscale-token',
    'PlanetScale service token, password or OAuth token',
    'pscale_',
    '(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64}',
    { bits: 3.5 },
  ),
  prefixed('netlify-pat', 'Netlify personal access token', 'nfp_', '[A-Za-z0-9]{36}', { bits: 4 }),
  prefixed('flyio-token', 'Fly.io access token', 'FlyV1 fm', '[12]_[A-Za-z0-9+/=_,-]{100,2000}', {
    bits: 4,
  }),
  prefixed('render-api-key', 'Render API key', 'rnd_', '[A-Za-z0-9]{32}', { bits: 4 }),
  prefixed('deno-deploy-token', 'Deno Deploy access token', 'ddp_', '[A-Za-z0-9]{36}', { bits: 4 }),
  prefixed(
    'tailscale-key',
    'Tailscale auth, API, OAuth client or webhook key',
    'tskey-',
    '(?:auth|api|client|webhook|scim)-[A-Za-z0-9]{10,20}-[A-Za-z0-9]{20,40}',
    { bits: 3.5 },
  ),
  prefixed('scalingo-api-token', 'Scalingo API token', 'tk-us-', '[A-Za-z0-9_-]{48}', { bits: 4 }),
  prefixed('infracost-api-token', 'Infracost API token', 'ico-', '[A-Za-z0-9]{32}', { bits: 4 }),
  prefixed('prefect-api-key', 'Prefect Cloud API key', 'pnu_', '[A-Za-z0-9]{36}', { bits: 4 }),
  prefixed('adobe-client-secret', 'Adobe client secret', 'p8e-', '[A-Za-z0-9]{32}', { bits: 4 }),
  provider({
    id: 'okta-api-token',
    description: 'Okta API token assigned to an Okta-named key',
    keywords: ['okta'],
    pattern: assigned('okta[\\w.-]{0,20}?(?:token|key|secret)', '00[A-Za-z0-9_-]{40}'),
    group: 1,
    validate: randomMixed(4, 3),
  }),
  provider({
    id: 'twitter-bearer-token',
    description: 'X (Twitter) app bearer token',
    keywords: ['aaaaaaaaaaaaaaaaaaaaa'],
    pattern: /AAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9%]{60,120}/g,
    validate: (secret) => random(4)(secret.slice(21)),
  }),
  prefixed(
    'dropbox-short-lived-token',
    'Dropbox short-lived access token',
    'sl.',
    '[A-Za-z0-9_-]{130,160}',
    { bits: 4 },
  ),
];
