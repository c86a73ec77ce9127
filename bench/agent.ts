// `npm run bench -- agent [--files N] [--only overhead,grep,cache,compaction]`: the agent's tool overhead, Grep against rg / git grep on a generated repo,
// prompt-cache friendliness of a 40-turn session, and compaction over a 300-tool-call session. Ratios, same run.
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  ALL_TOOLS,
  createAnthropicProvider,
  createSessionState,
  estimateTokens,
  hasProgram,
  runAgent,
  runGrep,
  type AgentProgress,
  type ModelRequest,
  type Provider,
  type ScriptedTurn,
  type ToolContext,
} from '../src/agent/index.js';
import { execCapture } from '../src/agent/tools/exec-capture.js';
import { startAnthropicServer } from '../src/dev/index.js';

const run = promisify(execFile);
const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Runs the variants interleaved `rounds` times (so machine noise hits all alike) and returns their medians. */
async function compare(
  rounds: number,
  variants: Record<string, () => Promise<unknown>>,
): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(variants).map((name) => [name, []]),
  );
  for (const fn of Object.values(variants)) await fn();
  for (let round = 0; round < rounds; round++)
    for (const [name, fn] of Object.entries(variants)) samples[name]?.push(await time(fn));
  return Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [name, median(values)]),
  );
}

function moduleSource(n: number, lines: number): string {
  const body = Array.from(
    { length: lines },
    (_, line) => `export const value_${n}_${line} = ${(n * 31 + line) % 997}; // module ${n}`,
  );
  if (n % 1000 === 7) body.push(`export const needle_${n} = 'find me';`);
  return `${body.join('\n')}\n`;
}

async function generateRepo(files: number, lines: number): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'claw-bench-'));
  const perDir = 500;
  for (let start = 0; start < files; start += perDir) {
    const folder = path.join(dir, 'src', `pkg${Math.floor(start / perDir)}`);
    await mkdir(folder, { recursive: true });
    const batch: Promise<void>[] = [];
    for (let n = start; n < Math.min(files, start + perDir); n++)
      batch.push(writeFile(path.join(folder, `mod${n}.ts`), moduleSource(n, lines)));
    await Promise.all(batch);
  }
  await writeFile(path.join(dir, '.gitignore'), 'dist/\n');
  await run('git', ['init', '--quiet'], { cwd: dir, env: GIT_ENV });
  await run('git', ['add', '--all'], { cwd: dir, env: GIT_ENV, maxBuffer: 1 << 28 });
  return dir;
}

function contextFor(worktree: string): ToolContext {
  return {
    worktree,
    signal: new AbortController().signal,
    session: createSessionState(),
    sandbox: {},
  };
}

function tool(name: string) {
  const found = ALL_TOOLS.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no tool ${name}`);
  return found;
}

async function callTool(name: string, input: unknown, context: ToolContext): Promise<void> {
  const t = tool(name);
  await t.run(t.input.parse(input), context);
}

async function toolOverhead(): Promise<void> {
  const dir = await generateRepo(2000, 40);
  try {
    const context = contextFor(dir);
    const file = path.join(dir, 'src/pkg1/mod600.ts');
    // Edit requires a Read first in the session.
    await callTool('Read', { file_path: 'src/pkg1/mod601.ts' }, context);
    let flip = false;
    const figures = await compare(41, {
      'Read tool': () => callTool('Read', { file_path: 'src/pkg1/mod600.ts' }, context),
      // Read's I/O: a stat and a read (synchronous for small files, as the tool does).
      'Read I/O': () => Promise.resolve(statSync(file).size + readFileSync(file).length),
      'Edit tool': async () => {
        flip = !flip;
        await callTool(
          'Edit',
          {
            file_path: 'src/pkg1/mod601.ts',
            old_string: flip ? 'value_601_5 =' : 'value_601_5x =',
            new_string: flip ? 'value_601_5x =' : 'value_601_5 =',
          },
          context,
        );
      },
      // Edit's I/O: stat (changed since read?), read, write, stat (the new mtime), synchronous as in the tool.
      'Edit I/O': () => {
        const target = path.join(dir, 'src/pkg1/mod602.ts');
        statSync(target);
        writeFileSync(target, readFileSync(target, 'utf8'));
        return Promise.resolve(statSync(target));
      },
      'Glob tool': () => callTool('Glob', { pattern: 'src/pkg3/**/*.ts' }, context),
      // Glob's I/O: git's file list for the scope, then the mtime of each match (it sorts newest first).
      'Glob I/O': async () => {
        const listed = await execCapture(
          'git',
          ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', 'src/pkg3'],
          { cwd: dir },
        );
        await Promise.all(
          listed.stdout
            .split('\0')
            .filter((name) => name !== '')
            .map((name) => stat(path.join(dir, name))),
        );
      },
      'Grep tool': () =>
        callTool('Grep', { pattern: 'needle_\\d+', output_mode: 'content' }, context),
      'Grep I/O': () =>
        execCapture(
          'rg',
          [
            '--null',
            '--no-heading',
            '--with-filename',
            '--line-number',
            '--color',
            'never',
            '--hidden',
            '--no-messages',
            '--glob',
            '!.git',
            '--regexp',
            'needle_\\d+',
          ],
          { cwd: dir },
        ),
    });
    console.log(
      '\nTool overhead (median ms per call over 41 rounds, 2 000-file repo; I/O = the same reads, writes, git ls-files, stats or rg run bare; target ≤ 5 ms beyond I/O):',
    );
    for (const name of ['Read', 'Edit', 'Glob', 'Grep']) {
      const toolMs = figures[`${name} tool`] ?? 0;
      const ioMs = figures[`${name} I/O`] ?? 0;
      console.log(
        `  ${name.padEnd(5)} tool ${toolMs.toFixed(2).padStart(7)} ms   I/O ${ioMs.toFixed(2).padStart(7)} ms   overhead ${(toolMs - ioMs).toFixed(2).padStart(6)} ms`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function grepLargeRepo(files: number): Promise<void> {
  const started = Date.now();
  const dir = await generateRepo(files, 20);
  console.log(
    `\nGrep on a generated repo of ${files.toLocaleString('en')} files (generated in ${((Date.now() - started) / 1000).toFixed(1)} s; median of 7 interleaved runs):`,
  );
  try {
    const context = contextFor(dir);
    const rg = await hasProgram('rg');
    const queries: {
      label: string;
      input: Parameters<typeof runGrep>[0];
      rgArgs: string[];
      gitArgs: string[];
    }[] = [
      {
        label: 'content  needle_\\d+',
        input: { pattern: 'needle_\\d+', output_mode: 'content' },
        rgArgs: ['-n', 'needle_\\d+'],
        gitArgs: ['grep', '-n', '-P', 'needle_\\d+'],
      },
      {
        label: 'files    value_4\\d_3 ',
        input: { pattern: 'value_4\\d_3 ' },
        rgArgs: ['-l', 'value_4\\d_3 '],
        gitArgs: ['grep', '-l', '-P', 'value_4\\d_3 '],
      },
    ];
    for (const query of queries) {
      const variants: Record<string, () => Promise<unknown>> = {
        'Grep (git grep backend)': () => runGrep(query.input, context, 'git'),
        'git grep direct': () => execCapture('git', query.gitArgs, { cwd: dir }),
      };
      if (rg) {
        variants['Grep (rg backend)'] = () => runGrep(query.input, context, 'rg');
        variants['rg direct'] = () => execCapture('rg', query.rgArgs, { cwd: dir });
      }
      const figures = await compare(7, variants);
      const line = [`  ${query.label}:`];
      if (rg)
        line.push(
          `Grep/rg ${((figures['Grep (rg backend)'] ?? 0) / (figures['rg direct'] ?? 1)).toFixed(2)}× (${(figures['Grep (rg backend)'] ?? 0).toFixed(0)} vs ${(figures['rg direct'] ?? 0).toFixed(0)} ms; target ≤ 1.3×)`,
        );
      line.push(
        `Grep(git)/git grep ${((figures['Grep (git grep backend)'] ?? 0) / (figures['git grep direct'] ?? 1)).toFixed(2)}× (${(figures['Grep (git grep backend)'] ?? 0).toFixed(0)} vs ${(figures['git grep direct'] ?? 0).toFixed(0)} ms)`,
      );
      console.log(line.join('  '));
    }
    if (!rg) console.log('  (rg is not installed: the Grep tool uses git grep, compared above)');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A 40-turn session of realistic calls, for the cache benchmark. */
function cacheScript(turns: number): ScriptedTurn[] {
  const script: ScriptedTurn[] = [
    {
      content: [
        {
          type: 'tool_use',
          id: 'plan',
          name: 'TodoWrite',
          input: {
            todos: [
              {
                content: 'Survey the code',
                status: 'in_progress',
                activeForm: 'Surveying the code',
              },
              { content: 'Make the change', status: 'pending', activeForm: 'Making the change' },
            ],
          },
        },
      ],
    },
  ];
  for (let n = 1; n < turns - 1; n++) {
    const kind = n % 4;
    const input =
      kind === 0
        ? { name: 'Grep', input: { pattern: `value_${n}_1\\b`, output_mode: 'content' } }
        : kind === 1
          ? { name: 'Read', input: { file_path: `src/pkg0/mod${n}.ts` } }
          : kind === 2
            ? { name: 'Glob', input: { pattern: `src/pkg0/mod${n}*.ts` } }
            : {
                name: 'Edit',
                input: {
                  file_path: `src/pkg0/mod${n - 2}.ts`,
                  old_string: `value_${n - 2}_3 =`,
                  new_string: `value_${n - 2}_3_checked =`,
                },
              };
    script.push({
      content: [
        { type: 'text', text: `Step ${n}: looking further.` },
        { type: 'tool_use', id: `call-${n}`, ...input },
      ],
    });
  }
  script.push({ content: [{ type: 'text', text: 'Done.' }] });
  return script;
}

function commonPrefix(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let index = 0;
  while (index < limit && a.charCodeAt(index) === b.charCodeAt(index)) index++;
  return index;
}

async function cacheFriendliness(): Promise<void> {
  const dir = await generateRepo(200, 30);
  const server = await startAnthropicServer({ script: cacheScript(40), apiKey: 'bench' });
  try {
    const provider = createAnthropicProvider({
      apiKey: 'bench',
      baseURL: server.url,
      model: 'claude-sonnet-4-6',
      retry: { maxRetries: 0 },
    });
    const result = await runAgent({
      provider,
      workdir: dir,
      task: 'Survey the modules and mark the checked ones.',
    });
    const bodies = server.requests.map((request) => request.raw);
    const shares: number[] = [];
    for (let index = 1; index < bodies.length; index++) {
      const previous = bodies[index - 1] ?? '';
      const current = bodies[index] ?? '';
      shares.push(commonPrefix(previous, current) / current.length);
    }
    const average = shares.reduce((sum, share) => sum + share, 0) / shares.length;
    const systemAndTools = bodies.every(
      (body) =>
        body.slice(0, body.indexOf('"messages"')) ===
        (bodies[0] ?? '').slice(0, (bodies[0] ?? '').indexOf('"messages"')),
    );
    console.log(
      `\nCache friendliness over a ${bodies.length}-request scripted session (${result.toolCalls} tool calls, stop ${result.stopReason}):`,
    );
    console.log(
      `  identical-prefix share of each request vs the previous: mean ${average.toFixed(3)}, min ${Math.min(...shares).toFixed(3)}, last ${shares.at(-1)?.toFixed(3)} (target mean ≥ 0.95)`,
    );
    console.log(
      `  system prompt and tools byte-identical in every request: ${systemAndTools ? 'yes' : 'NO'}`,
    );
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function compaction(window: number, toolCalls: number): Promise<void> {
  const dir = await generateRepo(400, 80);
  const todos = [
    { content: 'Read every module', status: 'in_progress', activeForm: 'Reading every module' },
    { content: 'Summarize the exports', status: 'pending', activeForm: 'Summarizing the exports' },
    { content: 'Report back', status: 'pending', activeForm: 'Reporting back' },
  ];
  const requests: ModelRequest[] = [];
  let step = 0;
  let summaries = 0;
  const provider: Provider = {
    name: 'bench',
    model: 'scripted',
    contextWindow: window,
    complete(request) {
      const { signal: _signal, ...copy } = request;
      requests.push(copy);
      const last = request.messages.at(-1);
      const lastText =
        last?.role === 'user'
          ? last.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('')
          : '';
      let content: ScriptedTurn['content'];
      if (lastText.includes('Your context is nearly full')) {
        summaries++;
        content = [
          {
            type: 'text',
            text: `## Goal\nRead every module.\n## Done so far\nRead ${step} modules.\n## Findings\nEach module exports 80 values.\n## Next steps\nContinue from module ${step}.`,
          },
        ];
      } else {
        const current = step++;
        content =
          current === 0
            ? [{ type: 'tool_use', id: 'plan', name: 'TodoWrite', input: { todos } }]
            : current < toolCalls
              ? [
                  { type: 'text', text: `Reading module ${current}.` },
                  {
                    type: 'tool_use',
                    id: `r${current}`,
                    name: 'Read',
                    input: { file_path: `src/pkg0/mod${current % 400}.ts` },
                  },
                ]
              : [{ type: 'text', text: 'All modules read.' }];
      }
      return Promise.resolve({
        content,
        stopReason: content.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn',
        model: 'scripted',
        usage: {
          inputTokens: estimateTokens(request),
          outputTokens: estimateTokens(content),
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
        },
      });
    },
  };
  const events: AgentProgress[] = [];
  try {
    const result = await runAgent({
      provider,
      workdir: dir,
      task: 'Read every module under src/pkg0 and report what they export.',
      limits: { maxTurns: toolCalls + 50, maxTokens: 1e9, maxCostUsd: 1e6 },
      progress: (event) => events.push(event),
    });
    const sizes = requests.map((request) => estimateTokens(request));
    const summaryHeads = requests.filter((request) => {
      const head = request.messages[0]?.content[0];
      return head?.type === 'text' && head.text.includes('<context-summary>');
    });
    const todosKept =
      summaryHeads.length > 0 &&
      summaryHeads.every((request) => {
        const head = request.messages[0]?.content[0];
        return head?.type === 'text' && todos.every((todo) => head.text.includes(todo.content));
      });
    const stubs = events.filter(
      (event) => event.type === 'compaction' && event.stage === 'stub',
    ).length;
    console.log(
      `\nCompaction over a ${result.toolCalls}-tool-call session with a ${window.toLocaleString('en')}-token window (stop ${result.stopReason}):`,
    );
    console.log(
      `  largest request ${Math.max(...sizes).toLocaleString('en')} tokens = ${(Math.max(...sizes) / window).toFixed(2)} of the window; over the window: ${sizes.filter((size) => size > window).length} of ${sizes.length}`,
    );
    console.log(
      `  stub passes ${stubs}, summaries ${summaries}; todo list kept in every post-summary request: ${todosKept ? 'yes' : 'NO'}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function bench(args: string[]): Promise<void> {
  const filesArg = args.indexOf('--files');
  const files = filesArg === -1 ? 50_000 : Number(args[filesArg + 1]);
  const onlyArg = args.indexOf('--only');
  const only = onlyArg === -1 ? undefined : args[onlyArg + 1];
  const want = (name: string): boolean => only === undefined || only.split(',').includes(name);
  console.log(
    `agent benchmark on ${os.cpus().length} cores (load ${os.loadavg()[0]?.toFixed(1)}); rg ${(await hasProgram('rg')) ? 'present' : 'absent'}`,
  );
  if (want('overhead')) await toolOverhead();
  if (want('grep')) await grepLargeRepo(files);
  if (want('cache')) await cacheFriendliness();
  if (want('compaction')) await compaction(30_000, 300);
}
