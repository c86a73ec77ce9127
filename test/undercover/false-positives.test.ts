// False positives: every text file of the project's own node_modules through the provider-specific rules.
// Third-party code, docs and bundles are full of near-misses (hashes, base64 blobs, example keys), so this is
// the precision check for the format rules.
//
// Result when written: 24,230 text files, 215 MB, 15 provider findings; 126 once @octokit/openapi joined the
// dev dependencies (111 more, all in its example values). Every one of them is explained below:
// - 7 x aws-access-key-id in @octokit/webhooks-examples: recorded example webhook payloads whose package
//   `download_url` is an S3 pre-signed URL; the AKIA id in `X-Amz-Credential` is real-format by construction
//   (and an access key id alone does not authenticate). These are published documentation examples.
// - 2 x onepassword-secret-key in @secretlint/secretlint-rule-preset-recommend: the rule's own doc comment
//   showing what a 1Password service-account payload looks like (and its source map).
// - 6 x private-key, openssh-private-key and jwt in universal-github-app-jwt/test/: that library's test
//   fixtures (a throwaway App key and the JWTs signed with it).
// - every private-key, jwt and azure-sas-token finding in @octokit/openapi (added with the GitHub emulator, which
//   validates requests against it): GitHub's REST API description, whose response `example` values include a
//   sample App-manifest PEM, sample OIDC and download-token JWTs and SAS-signed attestation URLs. Documented
//   examples by definition; that package alone is 385 MB of JSON, which is why this test has a long timeout.
// Anything else reported here is a new false positive (or a leaked credential in a dependency) and fails
// the test. Generic rules are not part of this check: they are context heuristics, and dependency test
// suites legitimately contain things like `password: "hunter2!X"`; they are measured by the bench instead.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinRules, createRedactor } from '../../src/undercover/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Findings we expect, by file (relative to node_modules) and rule, with the reason. */
const EXPLAINED: { file: RegExp; rules: readonly string[]; why: string }[] = [
  {
    file: /^@octokit\/webhooks-examples\/[^/]+\/index\.json$/,
    rules: ['aws-access-key-id'],
    why: 'example webhook payloads with S3 pre-signed download URLs',
  },
  {
    file: /^@secretlint\/secretlint-rule-preset-recommend\/module\/index\.js(\.map)?$/,
    rules: ['onepassword-secret-key'],
    why: "a scanner rule's documentation of the format",
  },
  {
    file: /^@octokit\/openapi\/generated\/[^/]+\.json$/,
    rules: ['private-key', 'jwt', 'azure-sas-token'],
    why: "GitHub's REST API description: example values of responses",
  },
  {
    file: /^universal-github-app-jwt\/test\//,
    rules: ['private-key', 'openssh-private-key', 'jwt'],
    why: "the library's test fixtures",
  },
];

async function* textFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* textFiles(full);
    else if (entry.isFile()) yield full;
  }
}

describe('provider rules on node_modules', () => {
  it('report nothing outside dependency test fixtures and documented examples', async () => {
    const generic = builtinRules()
      .filter((rule) => rule.category === 'generic')
      .map((rule) => rule.id);
    const redactor = createRedactor({ disabledRules: generic });
    const modules = path.join(root, 'node_modules');
    let files = 0;
    let explained = 0;
    const unexplained: string[] = [];
    for await (const file of textFiles(modules)) {
      const bytes = await readFile(file);
      if (bytes.subarray(0, 8000).includes(0)) continue; // binary
      files++;
      const relative = path.relative(modules, file).split(path.sep).join('/');
      for (const finding of redactor.redact(bytes.toString('utf8')).findings) {
        const reason = EXPLAINED.find(
          (entry) => entry.file.test(relative) && entry.rules.includes(finding.rule),
        );
        if (reason === undefined)
          unexplained.push(`${relative}:${finding.line}:${finding.column} ${finding.rule}`);
        else explained++;
      }
    }
    expect(files).toBeGreaterThan(10_000);
    expect(unexplained).toEqual([]);
    // The count for this branch's lockfile; a dependency change that moves it should be looked at, then updated.
    expect(explained).toBe(126);
  }, 400_000);
});
