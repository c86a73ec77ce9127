// `claw redact [--json] [--diff] [--policy FILE] [FILE|-]`: prints the redacted text (or the findings as JSON)
// and exits 0 when nothing was found, 1 when something was, 2 on a usage error; it doubles as a pre-commit check.
import { ConfigError, describeError } from '../lib/index.js';
import { parseEnv } from '../config/index.js';
import {
  builtinRules,
  createRedactor,
  parseRedactionPolicyFile,
  redactionPolicyFromEnv,
  type RedactionPolicy,
} from '../undercover/index.js';

export const REDACT_USAGE = 'claw redact [--json] [--diff] [--policy FILE] [--list-rules] [FILE|-]';

export interface RedactIo {
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
}

interface RedactArgs {
  json: boolean;
  diff: boolean;
  listRules: boolean;
  policy?: string;
  input: string;
}

class UsageProblem extends Error {}

function parseArgs(args: readonly string[]): RedactArgs {
  const parsed: RedactArgs = { json: false, diff: false, listRules: false, input: '-' };
  let input: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') parsed.json = true;
    else if (arg === '--diff') parsed.diff = true;
    else if (arg === '--list-rules') parsed.listRules = true;
    else if (arg === '--policy' || arg.startsWith('--policy=')) {
      const value = arg === '--policy' ? args[++i] : arg.slice('--policy='.length);
      if (value === undefined || value === '') throw new UsageProblem('--policy needs a file name');
      parsed.policy = value;
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageProblem(`unknown option ${arg}`);
    } else {
      if (input !== undefined)
        throw new UsageProblem(`only one input file is allowed (got ${input} and ${arg})`);
      input = arg;
    }
  }
  if (input !== undefined) parsed.input = input;
  return parsed;
}

/** The environment's part of the policy: secrets it holds and the private deny terms. Lenient: a CLI run
 * must not fail because an unrelated server variable is malformed. */
function policyFromEnvironment(io: RedactIo): RedactionPolicy {
  try {
    return redactionPolicyFromEnv(parseEnv(io.env), io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(
      `claw redact: ignoring the server environment (${error.problems.map((p) => p.key).join(', ')} invalid)\n`,
    );
    return {};
  }
}

function mergePolicies(a: RedactionPolicy, b: RedactionPolicy): RedactionPolicy {
  return {
    knownSecrets: [...(a.knownSecrets ?? []), ...(b.knownSecrets ?? [])],
    denyTerms: [...(a.denyTerms ?? []), ...(b.denyTerms ?? [])],
    attribution: b.attribution ?? a.attribution ?? 'keep',
    disabledRules: [...(a.disabledRules ?? []), ...(b.disabledRules ?? [])],
    allowValues: [...(a.allowValues ?? []), ...(b.allowValues ?? [])],
  };
}

export async function runRedact(args: readonly string[], io: RedactIo): Promise<number> {
  let options: RedactArgs;
  try {
    options = parseArgs(args);
  } catch (error) {
    io.stderr(`claw redact: ${describeError(error)}\nUsage: ${REDACT_USAGE}\n`);
    return 2;
  }
  if (options.listRules) {
    for (const rule of builtinRules())
      io.stdout(`${rule.id}\t${rule.category}\t${rule.description}\n`);
    return 0;
  }

  let policy = policyFromEnvironment(io);
  if (options.policy !== undefined) {
    try {
      const ids = builtinRules().map((rule) => rule.id);
      policy = mergePolicies(
        policy,
        parseRedactionPolicyFile(await io.readFile(options.policy), io.env, ids),
      );
    } catch (error) {
      io.stderr(`claw redact: policy ${options.policy}: ${describeError(error)}\n`);
      return 2;
    }
  }

  let redactor;
  try {
    redactor = createRedactor(policy);
  } catch (error) {
    io.stderr(`claw redact: ${describeError(error)}\n`);
    return 2;
  }

  let text: string;
  try {
    text = options.input === '-' ? await io.readStdin() : await io.readFile(options.input);
  } catch (error) {
    io.stderr(
      `claw redact: cannot read ${options.input}: ${(error as NodeJS.ErrnoException).code ?? describeError(error)}\n`,
    );
    return 2;
  }

  if (options.diff) {
    const findings = redactor.scanPatch(text);
    if (options.json) {
      io.stdout(`${JSON.stringify({ findings, text: redactor.redact(text).text })}\n`);
    } else {
      for (const finding of findings) {
        io.stdout(`${finding.file}:${finding.line}:${finding.column}: ${finding.rule}\n`);
      }
    }
    return findings.length > 0 ? 1 : 0;
  }

  const result = redactor.redact(text);
  if (options.json)
    io.stdout(`${JSON.stringify({ findings: result.findings, text: result.text })}\n`);
  else io.stdout(result.text);
  return result.findings.length > 0 ? 1 : 0;
}
