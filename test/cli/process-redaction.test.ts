// Canaries through the wiring every long-running process uses: the log sink and the Octokit hooks.
import { randomBytes } from 'node:crypto';
import nock from 'nock';
import { createProcessRedaction } from '../../src/cli/process-redaction.js';
import { parseEnv } from '../../src/config/index.js';
import { createClawOctokit } from '../../src/github/index.js';
import { createLogSink } from '../../src/lib/index.js';
import { useNock } from '../support/nock.js';

const api = 'https://api.github.com';
const modelKey = `sk-ant-api03-${randomBytes(60).toString('base64url').slice(0, 80)}AA`;
const webhookSecret = `whsec-${randomBytes(12).toString('hex')}`;
// Random characters: no provider checksum, so only the learnt known-secret rule can catch it.
const installationToken = `ghs_${randomBytes(27).toString('base64url').slice(0, 36)}`;

async function setup() {
  const lines: string[] = [];
  const env = parseEnv({
    ANTHROPIC_API_KEY: modelKey,
    WEBHOOK_SECRET: webhookSecret,
    LOG_LEVEL: 'info',
  });
  const sink = createLogSink({ write: (line: string) => lines.push(line) });
  const redaction = await createProcessRedaction({ env, rawEnv: {}, name: 'test', sink });
  const Octokit = createClawOctokit({
    hooks: redaction.octokitHooks,
    disableRetryAndThrottle: true,
  });
  return { lines, redaction, octokit: new Octokit({ auth: 'test-token' }) };
}

describe('createProcessRedaction', () => {
  useNock();

  it('redacts configured secrets from every log line', async () => {
    const { lines, redaction } = await setup();

    redaction.logger.info(
      { header: `x-api-key: ${modelKey}` },
      `webhook secret is ${webhookSecret}`,
    );
    redaction.logger
      .child({ jobId: 'j1' })
      .error({ err: new Error(`failed with ${modelKey}`) }, 'job failed');

    const output = lines.join('');
    expect(lines).toHaveLength(2);
    expect(output).not.toContain(modelKey);
    expect(output).not.toContain(webhookSecret);
    expect(output).toContain('[REDACTED:known-secret]');
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it('learns each installation token when GitHub mints it and keeps it out of request bodies', async () => {
    const { octokit } = await setup();
    const sent: string[] = [];
    nock(api)
      .post('/app/installations/7/access_tokens')
      .reply(201, { token: installationToken, expires_at: '2030-01-01T00:00:00Z' });
    nock(api)
      .post('/repos/o/r/issues/1/comments', (body: { body: string }) => sent.push(body.body) > 0)
      .twice()
      .reply(201, { id: 1 });

    await octokit.request('POST /app/installations/{installation_id}/access_tokens', {
      installation_id: 7,
    });
    await octokit.rest.issues.createComment({
      owner: 'o',
      repo: 'r',
      issue_number: 1,
      body: `token ${installationToken}`,
    });
    await octokit.rest.issues.createComment({
      owner: 'o',
      repo: 'r',
      issue_number: 1,
      body: `b64 ${Buffer.from(installationToken).toString('base64')} key ${modelKey}`,
    });

    expect(sent).toHaveLength(2);
    expect(sent.join('\n')).not.toContain(installationToken);
    expect(sent.join('\n')).not.toContain(Buffer.from(installationToken).toString('base64'));
    expect(sent.join('\n')).not.toContain(modelKey);
    expect(sent[0]).toBe('token [REDACTED:known-secret]');
  });
});
