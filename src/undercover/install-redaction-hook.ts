// The Octokit request hook: every write request (POST, PATCH, PUT, DELETE) has its text fields redacted
// before it is sent, so no comment, PR, review, issue or ref name can carry a secret to GitHub.
import type { Logger } from '../lib/index.js';
import type { FindingListener } from './finding-counter.js';
import type { Redactor } from './types.js';

/** The request options Octokit passes to a `before('request')` hook: route, parameters and body fields. */
export interface RequestOptionsLike {
  method?: string;
  url?: string;
  [field: string]: unknown;
}

/** Any Octokit (core, rest, Probot's) seen structurally, so undercover does not depend on probot. */
export interface HookableOctokit {
  hook: {
    before(name: 'request', hook: (options: RequestOptionsLike) => void | Promise<void>): void;
  };
}

export interface RedactionHookOptions {
  logger?: Pick<Logger, 'warn'>;
  onFinding?: FindingListener;
}

/** Transport and routing fields; the hook never rewrites them. */
const STRUCTURAL = new Set([
  'method',
  'url',
  'baseUrl',
  'headers',
  'request',
  'mediaType',
  'owner',
  'repo',
]);
/** Fields that hold ref or branch names: a redaction there must still be a valid ref name. */
const REF_FIELDS = new Set([
  'ref',
  'head',
  'base',
  'branch',
  'new_name',
  'tag',
  'target_branch',
  'head_ref',
]);
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function urlParameters(url: string): Set<string> {
  const names = new Set<string>();
  for (const match of url.matchAll(/\{[/?+#&]?([\w,]+)\}/g))
    for (const name of match[1]!.split(',')) names.add(name);
  return names;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * Redacts `options` in place. Returns the number of findings. Exported for callers that build request
 * bodies outside Octokit (the Action's summary, for one).
 */
export function redactRequestOptions(
  options: RequestOptionsLike,
  redactor: Redactor,
  report: (rule: string, location: string, line: number, column: number) => void,
): number {
  const method = (options.method ?? 'GET').toUpperCase();
  if (READ_METHODS.has(method)) return 0;
  const url = options.url ?? '';
  const skip = urlParameters(url);
  const isContents = /\/contents\//.test(url) || url.endsWith('/contents/{path}');
  let count = 0;

  const visit = (value: unknown, location: string, field: string): unknown => {
    if (typeof value === 'string') {
      if (isContents && field === 'content' && /^[A-Za-z0-9+/=\s]*$/.test(value)) {
        const decoded = Buffer.from(value, 'base64').toString('utf8');
        const result = redactor.redact(decoded);
        for (const finding of result.findings)
          report(finding.rule, location, finding.line, finding.column);
        count += result.findings.length;
        return result.findings.length === 0
          ? value
          : Buffer.from(result.text, 'utf8').toString('base64');
      }
      const result = redactor.redact(value, { style: REF_FIELDS.has(field) ? 'ref' : 'text' });
      for (const finding of result.findings)
        report(finding.rule, location, finding.line, finding.column);
      count += result.findings.length;
      return result.text;
    }
    if (Array.isArray(value))
      return value.map((item, index) => visit(item, `${location}[${index}]`, field));
    if (isPlainObject(value)) {
      for (const [key, inner] of Object.entries(value))
        value[key] = visit(inner, `${location}.${key}`, key);
      return value;
    }
    return value;
  };

  for (const [key, value] of Object.entries(options)) {
    if (STRUCTURAL.has(key) || skip.has(key)) continue;
    options[key] = visit(value, key, key);
  }
  return count;
}

/** Installs the hook; call it on every Octokit the workers and the Action create, before first use. */
export function installRedactionHook(
  octokit: HookableOctokit,
  redactor: Redactor,
  options: RedactionHookOptions = {},
): void {
  octokit.hook.before('request', (request) => {
    const route = `${(request.method ?? 'GET').toUpperCase()} ${request.url ?? ''}`;
    redactRequestOptions(request, redactor, (rule, location, line, column) => {
      options.logger?.warn(
        { rule, location, line, column, route },
        'undercover redacted text in an outgoing GitHub request',
      );
      options.onFinding?.({ exit: 'github-api', rule, location, line, column });
    });
  });
}
