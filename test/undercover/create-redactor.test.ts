// The engine's policy-driven detectors: known secrets in every encoding, deny terms through each evasion,
// the attribution policy, span merging and positions, patches, and runtime secrets.
import { createRedactor, knownSecretForms, normalizeTerm } from '../../src/undercover/index.js';
import { TokenFactory } from '../fixtures/undercover/tokens.js';

const t = new TokenFactory(99);

describe('createRedactor', () => {
  describe('known secrets', () => {
    const secret = `whsec-${t.alnum(28)}`;
    const redactor = createRedactor({ knownSecrets: [secret] });

    it.each([
      ['plain', (s: string) => `the secret is ${s}.`],
      ['base64', (s: string) => `blob ${Buffer.from(s).toString('base64')}`],
      ['base64 at offset 1', (s: string) => `blob ${Buffer.from(`x${s}`).toString('base64')}`],
      ['base64 at offset 2', (s: string) => `blob ${Buffer.from(`xy${s}`).toString('base64')}`],
      [
        'base64url inside basic auth',
        (s: string) => `Basic ${Buffer.from(`x-access-token:${s}`).toString('base64url')}`,
      ],
      ['URL-encoded', (s: string) => `?q=${encodeURIComponent(`${s} & more`)}`],
      ['JSON-escaped', (s: string) => JSON.stringify({ nested: JSON.stringify({ value: s }) })],
    ])('finds the %s form', (_name, encode) => {
      const text = encode(secret);
      const result = redactor.redact(text);
      expect(result.findings.map((finding) => finding.rule)).toContain('known-secret');
      expect(result.text).not.toContain(secret);
      for (const form of knownSecretForms(secret)) expect(result.text).not.toContain(form);
    });

    it('finds values with characters that JSON and URLs escape', () => {
      const tricky = `p@ss "word"/\\ ${t.alnum(8)}\n`;
      const trickyRedactor = createRedactor({ knownSecrets: [tricky] });
      for (const text of [JSON.stringify({ tricky }), encodeURIComponent(tricky), tricky]) {
        expect(trickyRedactor.redact(text).findings).toHaveLength(1);
      }
    });

    it('ignores values too short to match safely', () => {
      expect(createRedactor({ knownSecrets: ['abc'] }).redact('abc abc').findings).toEqual([]);
    });

    it('adds a secret at runtime and derives a per-job redactor without changing the original', () => {
      const token = t.github('ghs_');
      const base = createRedactor({});
      const perJob = base.withSecrets([token]);
      const encoded = Buffer.from(token).toString('base64');
      expect(perJob.redact(encoded).findings.map((f) => f.rule)).toEqual(['known-secret']);
      expect(base.redact(encoded).findings).toEqual([]);
      base.addSecret(token);
      expect(base.redact(encoded).findings.map((f) => f.rule)).toEqual(['known-secret']);
    });
  });

  describe('deny terms', () => {
    const redactor = createRedactor({
      denyTerms: [
        'Project Falcon',
        'wiki.corp.example',
        'https://intra.example.net/docs',
        '/\\bFAL-\\d{3,5}\\b/',
        'Orca',
      ],
    });

    it.each([
      ['exact', 'We ship Project Falcon next week.', 'Project Falcon'],
      ['case change', 'we ship PROJECT falcon next week', 'PROJECT falcon'],
      [
        'confusables (Cyrillic а, о)',
        'we ship Project F\u0430lc\u043en today',
        'Project F\u0430lc\u043en',
      ],
      ['fullwidth letters', 'we ship \uff30roject \uff26alcon', '\uff30roject \uff26alcon'],
      ['accents', 'we ship Pröject Fálcon', 'Pröject Fálcon'],
      [
        'zero-width characters',
        'we ship Pro\u200bject Fal\u200dcon\u2060 today',
        'Pro\u200bject Fal\u200dcon',
      ],
      ['URL encoding', 'see /search?q=Project%20Falcon&x=1', 'Project%20Falcon'],
      ['URL-encoded letters', 'see /p/%50roject-%46alcon', '%50roject-%46alcon'],
      ['inserted separators', 'the p-r-o-j-e-c-t_f.a.l.c.o.n plan', 'p-r-o-j-e-c-t_f.a.l.c.o.n'],
      ['hostname', 'docs at https://wiki.corp.example/page', 'wiki.corp.example'],
      ['URL prefix', 'see https://intra.example.net/docs/setup', 'https://intra.example.net/docs'],
      ['regex', 'tracked in FAL-1234.', 'FAL-1234'],
    ])('redacts %s', (_name, text, leaked) => {
      const result = redactor.redact(text);
      expect(result.findings.map((finding) => finding.rule)).toContain('deny-term');
      expect(result.text).not.toContain(leaked);
      expect(result.text).toContain('[REDACTED:deny-term]');
    });

    it('maps the match back to the original span, keeping the surrounding text', () => {
      const result = redactor.redact('a P\u200bROJECT-falcon b');
      expect(result.text).toBe('a [REDACTED:deny-term] b');
      expect(result.findings).toEqual([{ rule: 'deny-term', line: 1, column: 3, length: 15 }]);
    });

    it('keeps short terms to whole words so ordinary words survive', () => {
      expect(redactor.redact('Orca launches').text).toBe('[REDACTED:deny-term] launches');
      expect(redactor.redact('the orcas swim').findings).toEqual([]);
    });

    it('normalizes terms the same way as text', () => {
      expect(normalizeTerm('Pro\u200bject-F\u0430lcon')).toBe('projectfalcon');
    });

    it('rejects an invalid regex term with a clear error', () => {
      expect(() => createRedactor({ denyTerms: ['/[unclosed/'] })).toThrow(
        /not a valid regular expression/,
      );
    });
  });

  describe('attribution', () => {
    const message = [
      'fix: handle empty input',
      '',
      'Body text.',
      '',
      '🤖 Generated with [Claude Code](https://claude.com/claude-code)',
      '',
      'Co-Authored-By: Claude <noreply@anthropic.com>',
      'Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>',
      'Co-authored-by: Cursor Agent <cursoragent@cursor.com>',
      'Co-authored-by: gemini-code-assist[bot] <bot@example.com>',
      'Co-authored-by: Jane Doe <jane@example.com>',
      'Co-authored-by: renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>',
      'Co-authored-by: dependabot[bot] <support@github.com>',
      '',
    ].join('\n');

    it('strips AI trailers and footers and keeps human and dependency-bot trailers', () => {
      const result = createRedactor({ attribution: 'strip' }).redact(message);
      expect(result.text).toBe(
        [
          'fix: handle empty input',
          '',
          'Body text.',
          '',
          '',
          'Co-authored-by: Jane Doe <jane@example.com>',
          'Co-authored-by: renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>',
          'Co-authored-by: dependabot[bot] <support@github.com>',
          '',
        ].join('\n'),
      );
      expect(result.findings.map((finding) => finding.rule)).toEqual(
        Array(5).fill('ai-attribution'),
      );
    });

    it('keeps everything with the default policy', () => {
      const result = createRedactor({}).redact(message);
      expect(result.text).toBe(message);
      expect(result.findings).toEqual([]);
    });

    it('does not strip prose that only mentions a tool', () => {
      const text =
        'We compared Copilot and Claude in the docs.\nGenerated with love by the team.\n';
      expect(createRedactor({ attribution: 'strip' }).redact(text).text).toBe(text);
    });
  });

  describe('positions and merging', () => {
    it('reports 1-based line and column and never the value', () => {
      const token = t.github('ghp_');
      const result = createRedactor({}).redact(`line one\n  key ${token}\n`);
      expect(result.findings).toEqual([{ rule: 'github-pat', line: 2, column: 7, length: 40 }]);
      expect(JSON.stringify(result.findings)).not.toContain(token.slice(4, 20));
    });

    it('merges overlapping matches into one span named by the strongest rule', () => {
      const token = t.github('ghs_');
      const result = createRedactor({ knownSecrets: [token] }).redact(
        `https://x-access-token:${token}@github.com/o/r.git`,
      );
      expect(result.findings).toHaveLength(1);
      expect(result.findings[0]!.rule).toBe('known-secret');
      expect(result.text).toBe('https://x-access-token:[REDACTED:known-secret]@github.com/o/r.git');
    });

    it('uses a ref-safe replacement for branch names', () => {
      const result = createRedactor({ denyTerms: ['falcon'] }).redact('claw/issue-1-falcon-fix', {
        style: 'ref',
      });
      expect(result.text).toBe('claw/issue-1-REDACTED-deny-term-fix');
    });

    it('leaves clean text identical', () => {
      const text = 'Nothing to see: const token = getToken(); password: ${PASSWORD}\n';
      expect(createRedactor({}).redact(text)).toEqual({ text, findings: [] });
    });
  });

  describe('scanPatch', () => {
    const token = t.github('ghp_');
    const patch = [
      'diff --git a/src/config.ts b/src/config.ts',
      'index 1111111..2222222 100644',
      '--- a/src/config.ts',
      '+++ b/src/config.ts',
      '@@ -10,2 +10,3 @@ export const config = {',
      '   name: "x",',
      `-  old: "${t.github('ghp_')}",`,
      `+  token: "${token}",`,
      '+  other: 1,',
      'diff --git a/new file.txt b/new file.txt',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/new file.txt',
      '@@ -0,0 +1,2 @@',
      '+hello',
      `+${'++'}AKIA${t.from('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
    ].join('\n');

    it('reports added lines with file and new-file line numbers, and ignores removed lines', () => {
      const findings = createRedactor({}).scanPatch(patch);
      expect(findings).toEqual([
        { file: 'src/config.ts', rule: 'github-pat', line: 11, column: 11, length: 40 },
        { file: 'new file.txt', rule: 'aws-access-key-id', line: 2, column: 3, length: 20 },
      ]);
    });

    it('finds a key block spread over several added lines', () => {
      const pemLines =
        `-----BEGIN OPENSSH PRIVATE KEY-----\n${Array.from({ length: 4 }, () => t.base64(64)).join('\n')}\n-----END OPENSSH PRIVATE KEY-----`.split(
          '\n',
        );
      const diff = [
        '--- a/k',
        '+++ b/k',
        `@@ -1,0 +1,${pemLines.length} @@`,
        ...pemLines.map((l) => `+${l}`),
      ].join('\n');
      expect(createRedactor({}).scanPatch(diff)).toEqual([
        {
          file: 'k',
          rule: 'openssh-private-key',
          line: 1,
          column: 1,
          length: pemLines.join('\n').length,
        },
      ]);
    });
  });
});
