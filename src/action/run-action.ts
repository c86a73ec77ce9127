// One Action step, start to end: inputs and secrets (masked), the event judged by the App's classifier and
// permission gate, the job run by the same handlers through the inline runner, then outputs and the job summary.
// Exit 0 for success and for a logged skip; 1 only when something really failed.
import {
  createPermissionGate,
  InvalidRepoConfigFile,
  loadRepoConfig,
  needsWriteAccess,
  type ClawOctokit,
  type LoadedRepoConfig,
} from '../github/index.js';
import { DEFAULT_REPO_CONFIG } from '../config/index.js';
import {
  createInlineRunner,
  createShippedHandlers,
  jobIdFromDelivery,
  KIND_LABELS,
  payloadFromTrigger,
  presetAppBotIdentity,
  type JobOutcome,
} from '../jobs/index.js';
import { ConfigError, RepoConfigError, describeError, type Logger } from '../lib/index.js';
import { createLogLineRedactor, createRedactor, type Redactor } from '../undercover/index.js';
import { readActionContext, runUrl, type ActionContext } from './action-context.js';
import { mergeInputsIntoConfig } from './action-config.js';
import {
  actionBotIdentity,
  actionProvider,
  actionRedactionPolicy,
  createActionFlowDeps,
  createActionOctokit,
} from './action-deps.js';
import {
  inputEnvName,
  parseActionInputs,
  SECRET_INPUTS,
  type ActionInputs,
} from './action-inputs.js';
import { createActionLogger } from './action-logger.js';
import {
  actionOutputs,
  renderSummary,
  type ActionConclusion,
  type ActionReport,
} from './action-summary.js';
import {
  ACTION_INSTALLATION_ID,
  decideAction,
  PROMPT_EVENTS,
  promptTitle,
  type JobTrigger,
} from './decide-action.js';
import { latestTranscript, transcriptFigures } from './transcript-figures.js';
import {
  annotation,
  appendSummary,
  maskCommands,
  stdoutWriter,
  writeOutputs,
  type CommandWriter,
} from './workflow-commands.js';

export interface RunActionOptions {
  env: NodeJS.ProcessEnv;
  write?: CommandWriter;
  /** Aborts on SIGTERM / SIGINT (the run was cancelled): the job stops and the step ends as cancelled. */
  signal?: AbortSignal;
}

export interface ActionResult {
  report: ActionReport;
  exitCode: 0 | 1;
}

const EXIT: Record<ActionConclusion, 0 | 1> = { success: 0, skipped: 0, failure: 1, cancelled: 1 };

function problemsOf(error: unknown): string[] {
  if (error instanceof ConfigError || error instanceof RepoConfigError)
    return error.problems.map((problem) => `${problem.key}: ${problem.message}`);
  return [describeError(error)];
}

export async function runAction(options: RunActionOptions): Promise<ActionResult> {
  const { env } = options;
  const write = options.write ?? stdoutWriter;
  // Before anything is printed: the runner hides these values in every later line of the log.
  for (const name of SECRET_INPUTS) {
    const value = env[inputEnvName(name)];
    if (value !== undefined && value.trim() !== '')
      for (const command of maskCommands(value.trim())) write(command);
  }
  const fallbackRunUrl = `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY ?? ''}/actions/runs/${env.GITHUB_RUN_ID ?? ''}`;
  const finishEarly = (message: string, problems: string[]): ActionResult => {
    for (const problem of problems) write(annotation('error', problem));
    const report: ActionReport = { conclusion: 'failure', message, runUrl: fallbackRunUrl };
    publish(report, env.GITHUB_OUTPUT, env.GITHUB_STEP_SUMMARY, (text) => text);
    return { report, exitCode: 1 };
  };

  let inputs: ActionInputs;
  let context: ActionContext;
  try {
    inputs = parseActionInputs(env);
  } catch (error) {
    return finishEarly(
      'The step has an invalid input.',
      problemsOf(error).map((p) => `input ${p}`),
    );
  }
  // Nothing the job starts (git, the agent's Bash) needs them in its environment.
  for (const name of SECRET_INPUTS) delete env[inputEnvName(name)];
  try {
    context = readActionContext(env);
  } catch (error) {
    return finishEarly('The step is not running in a GitHub Actions job.', problemsOf(error));
  }
  if (inputs.github_token === undefined)
    return finishEarly('The github_token input is empty.', [
      'github_token: is empty; leave it at its default (${{ github.token }}) or pass an App token',
    ]);

  const redactor = createRedactor(actionRedactionPolicy(inputs));
  const { logger, sink } = createActionLogger(write, context.debug ? 'debug' : 'info');
  sink.setRedactor(createLogLineRedactor(redactor));
  const octokit = createActionOctokit({
    token: inputs.github_token,
    apiUrl: context.apiUrl,
    redactor,
    logger: logger.child({ component: 'github' }),
  });
  const step = new ActionStep(context, inputs, octokit, redactor, logger, write);
  try {
    const report = await step.run(options.signal);
    return step.finish(report);
  } catch (error) {
    logger.error({ err: error }, 'the Claw action failed');
    return step.finish({
      conclusion: 'failure',
      message: `The step failed: ${describeError(error)}`,
      runUrl: runUrl(context),
    });
  }
}

function publish(
  report: ActionReport,
  outputFile: string | undefined,
  summaryFile: string | undefined,
  redact: (text: string) => string,
): void {
  const outputs = actionOutputs(report);
  if (outputFile !== undefined && outputFile !== '') writeOutputs(outputFile, outputs);
  if (summaryFile !== undefined && summaryFile !== '')
    appendSummary(summaryFile, redact(renderSummary(report)));
}

class ActionStep {
  private readonly repo: { owner: string; repo: string };
  private readonly html: string;

  constructor(
    private readonly context: ActionContext,
    private readonly inputs: ActionInputs,
    private readonly octokit: ClawOctokit,
    private readonly redactor: Redactor,
    private readonly logger: Logger,
    private readonly write: CommandWriter,
  ) {
    this.repo = { owner: context.owner, repo: context.repo };
    this.html = `${context.serverUrl}/${context.owner}/${context.repo}`;
  }

  finish(report: ActionReport): ActionResult {
    const level =
      report.conclusion === 'success'
        ? 'notice'
        : report.conclusion === 'skipped'
          ? 'notice'
          : 'error';
    const text = this.redactor.redact(
      report.conclusion === 'skipped'
        ? `Claw skipped this event: ${report.message}`
        : report.message,
    ).text;
    this.write(annotation(level, text.split('\n')[0] ?? text));
    publish(
      report,
      this.context.outputFile,
      this.context.summaryFile,
      (markdown) => this.redactor.redact(markdown).text,
    );
    return { report, exitCode: EXIT[report.conclusion] };
  }

  private skipped(message: string): ActionReport {
    return { conclusion: 'skipped', message, runUrl: runUrl(this.context) };
  }

  async run(signal: AbortSignal | undefined): Promise<ActionReport> {
    const { context, inputs, logger } = this;
    logger.info(
      {
        event: context.eventName,
        action: context.event.action,
        repo: `${context.owner}/${context.repo}`,
        mode: inputs.mode,
      },
      'claw action started',
    );
    const identity = await actionBotIdentity(this.octokit, inputs.bot_login);
    presetAppBotIdentity(this.octokit, identity);

    let loaded: LoadedRepoConfig;
    let invalid: InvalidRepoConfigFile | undefined;
    try {
      const file = await loadRepoConfig(this.octokit, this.repo);
      loaded = { config: mergeInputsIntoConfig(file.config, inputs), sha: file.sha };
    } catch (error) {
      if (!(error instanceof InvalidRepoConfigFile)) throw error;
      invalid = error;
      loaded = { config: mergeInputsIntoConfig(DEFAULT_REPO_CONFIG, inputs), sha: error.sha };
    }

    const decision = decideAction({
      eventName: context.eventName,
      event: context.event,
      repo: this.repo,
      inputs,
      config: loaded.config,
      botLogin: identity.name,
    });
    if ('skip' in decision) return this.skipped(decision.skip);
    if (invalid !== undefined) {
      // Only now: an invalid file should fail the runs that asked for Claw, not every comment on the repo.
      const problems = problemsOf(invalid.error);
      for (const problem of problems)
        this.write(annotation('error', `.github/claw.yml ${problem}`));
      return {
        conclusion: 'failure',
        message: '`.github/claw.yml` on the default branch is invalid, so nothing was run.',
        nextStep: 'Fix the keys named in the log, then run the workflow again.',
        runUrl: runUrl(context),
      };
    }
    if (inputs.prompt !== undefined && decision.run === 'trigger')
      logger.warn(
        { event: context.eventName },
        `the prompt input is used only on ${PROMPT_EVENTS.join(' and ')} runs; this run follows the event`,
      );

    if (decision.run === 'trigger' && needsWriteAccess(decision.trigger, loaded.config)) {
      const level = await createPermissionGate().level(
        this.octokit,
        this.repo,
        decision.trigger.actor,
      );
      if (!['admin', 'maintain', 'write'].includes(level))
        return this.skipped(
          `${decision.trigger.actor} has ${level} access to ${context.owner}/${context.repo}; only people with write access can ask Claw to work`,
        );
    }
    if (actionProvider(inputs) === undefined) {
      if (isForkPullRequest(context))
        return this.skipped(
          'no model key reached this run: GitHub does not give secrets to workflows on pull requests from forks',
        );
      throw new ConfigError([
        {
          key: 'anthropic_api_key',
          message:
            'is empty (and so are openai_api_key and openai_base_url); the step has no model to run the job with',
        },
      ]);
    }

    const trigger =
      decision.run === 'trigger' ? decision.trigger : await this.promptIssue(decision.prompt);
    return this.runJob(trigger, loaded, signal);
  }

  /** workflow_dispatch / schedule: the prompt becomes an issue, so the work has a thread and the PR a link. */
  private async promptIssue(prompt: string): Promise<JobTrigger> {
    const { context } = this;
    const { data: issue } = await this.octokit.rest.issues.create({
      ...this.repo,
      title: promptTitle(prompt),
      body: `${prompt}\n\n---\n_Opened by the Claw action for [this ${context.eventName} run](${runUrl(context)}), which had no issue to work on._`,
    });
    this.logger.info(
      { issue: issue.number, url: issue.html_url },
      'opened an issue for the prompt',
    );
    return {
      kind: 'resolve-issue',
      source: 'issue-body',
      instruction: prompt,
      installationId: ACTION_INSTALLATION_ID,
      ...this.repo,
      number: issue.number,
      actor: context.actor === '' ? this.inputs.bot_login : context.actor,
      reaction: { type: 'none' },
    };
  }

  private async runJob(
    trigger: JobTrigger,
    loaded: LoadedRepoConfig,
    signal: AbortSignal | undefined,
  ): Promise<ActionReport> {
    const { context, logger } = this;
    const deps = await createActionFlowDeps({
      inputs: this.inputs,
      runnerTemp: context.runnerTemp,
      redactionPolicy: actionRedactionPolicy(this.inputs),
      loaded,
      logger,
    });
    const runner = createInlineRunner({
      handlers: createShippedHandlers(deps),
      octokitFactory: { forInstallation: () => Promise.resolve(this.octokit) },
      logger,
      attempts: 2,
      backoffMs: 15_000,
    });
    const deliveryId = `action-${context.runId}-${context.runAttempt}`;
    const jobId = jobIdFromDelivery(deliveryId);
    // Automatic reviews post no tracking comment, as in the App; everything else is acknowledged.
    const acknowledged = !(trigger.kind === 'review-pr' && trigger.reason === 'auto');
    const payload = payloadFromTrigger(trigger, deliveryId, Date.now(), {
      awaitTrackingComment: acknowledged,
    });
    const onAbort = () => void runner.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    let outcome: JobOutcome;
    try {
      await runner.enqueue(jobId, payload);
      if (acknowledged)
        await runner.acknowledge({
          jobId,
          deliveryId,
          installationId: trigger.installationId,
          owner: trigger.owner,
          repo: trigger.repo,
          number: trigger.number,
          kind: trigger.kind,
          position: 0,
          reaction: trigger.reaction,
        });
      outcome = await runner.outcome(jobId);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await runner.close();
    }

    const transcript = await latestTranscript(deps.transcriptDir, jobId);
    const figures = transcript === undefined ? undefined : await transcriptFigures(transcript);
    const isPull = trigger.kind !== 'resolve-issue';
    const base = {
      kindLabel: KIND_LABELS[trigger.kind],
      target: {
        number: trigger.number,
        url: `${this.html}/${isPull ? 'pull' : 'issues'}/${trigger.number}`,
      },
      runUrl: runUrl(context),
      ...(figures === undefined ? {} : { figures }),
    };
    switch (outcome.status) {
      case 'completed': {
        const result = outcome.result;
        const pullNumber =
          typeof result.pullNumber === 'number'
            ? result.pullNumber
            : isPull
              ? trigger.number
              : undefined;
        const pullUrl =
          trigger.kind === 'resolve-issue' ? result.url : `${this.html}/pull/${trigger.number}`;
        return {
          ...base,
          conclusion: 'success',
          message: result.summary,
          ...(pullNumber === undefined || pullUrl === undefined
            ? {}
            : { pullRequest: { number: pullNumber, url: pullUrl } }),
          ...(result.url === undefined ? {} : { resultUrl: result.url }),
          ...(typeof result.branch === 'string' ? { branch: result.branch } : {}),
        };
      }
      case 'failed':
        return {
          ...base,
          conclusion: 'failure',
          message: outcome.classification.reason,
          ...(outcome.classification.nextStep === undefined
            ? {}
            : { nextStep: outcome.classification.nextStep }),
        };
      case 'cancelled':
      case 'interrupted':
        return {
          ...base,
          conclusion: 'cancelled',
          message: 'The run was cancelled before the job finished.',
        };
    }
  }
}

function isForkPullRequest(context: ActionContext): boolean {
  const pull = context.event.pull_request as
    { head?: { repo?: { full_name?: string } | null } } | undefined;
  const head = pull?.head?.repo?.full_name;
  return (
    head !== undefined && head.toLowerCase() !== `${context.owner}/${context.repo}`.toLowerCase()
  );
}
