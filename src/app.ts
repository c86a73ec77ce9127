// The Probot app: webhook → trigger → gate (not a bot, not itself, write access) → repo config → store the job
// → acknowledge (👀 + tracking comment). It answers 2xx only once the job is stored and 503 when Redis is down.
import type { ApplicationFunction, ApplicationFunctionOptions, Context, Probot } from 'probot';
import {
  addReaction,
  classifyEvent,
  createMemoryOnceStore,
  createPermissionGate,
  createRepoConfigLoader,
  HANDLED_EVENTS,
  InvalidRepoConfigFile,
  needsWriteAccess,
  normalizePhrase,
  type ClawOctokit,
  type LoadedRepoConfig,
  type OnceStore,
  type PermissionGate,
  type RepoConfigLoader,
  type Trigger,
} from './github/index.js';
import {
  createFlowDepsFromEnv,
  createInlineRunner,
  createShippedHandlers,
  jobIdFromDelivery,
  payloadFromTrigger,
  targetKey,
  type AckRequest,
  type JobQueue,
} from './jobs/index.js';
import { DEFAULT_REPO_CONFIG, loadEnv, loadPrivateKey } from './config/index.js';
import { RedisUnavailableError, RepoConfigError, describeError, type Logger } from './lib/index.js';
import { createHealthHandler } from './server/index.js';

export interface ClawAppDeps {
  queue: JobQueue;
  /** Remembers the replies Claw sends only once (polite refusals, invalid-config notices). */
  once?: OnceStore;
  /** Defaults to Probot's logger; pass one from src/lib/logger.ts to get the redacting sink. */
  logger?: Logger;
  /** The App's bot login (`slug[bot]`); looked up with GET /app when absent. */
  botLogin?: string;
  permissions?: PermissionGate;
  loadConfig?: RepoConfigLoader;
  now?: () => number;
  /** The debounce window of automatic reviews on pushes. */
  reviewDebounceMs?: number;
  /** Serve /healthz and /readyz from the Probot server (default true). */
  healthRoutes?: boolean;
  /** Told what became of each delivery (metrics); it must not throw. */
  onWebhook?: (event: string, outcome: WebhookOutcome) => void;
}

/** What became of a delivery: a stored job, or why not. */
export type WebhookOutcome =
  | 'enqueued'
  | 'duplicate'
  | 'ignored'
  | 'denied'
  | 'cancel'
  | 'invalid_config'
  | 'unavailable'
  | 'error';

const POLITE_REPLY_TTL_MS = 30 * 24 * 3600_000;
// Whole events, not just the handled actions, so every delivery ends in a trigger or a logged reason.
const SUBSCRIBED_EVENTS = [
  'issues',
  'issue_comment',
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
] as const;
const INSTALLATION_EVENTS = ['installation', 'installation_repositories'] as const;

/** Answers 503 through @octokit/webhooks, which uses an error's `status` as the HTTP status. */
function serviceUnavailable(
  error: RedisUnavailableError,
): RedisUnavailableError & { status: number } {
  return Object.assign(error, { status: 503 });
}

const HANDLED_EVENT_KEYS: ReadonlySet<string> = new Set(HANDLED_EVENTS);

const text = (value: unknown) =>
  typeof value === 'object' && value !== null ? (value as { body?: unknown }).body : undefined;

/** Cheap, network-free filter: mention events without any `@` cannot trigger, whatever the config says. */
function mayMention(name: string, payload: Record<string, unknown>): boolean {
  const body =
    name === 'issue_comment' || name === 'pull_request_review_comment'
      ? text(payload.comment)
      : name === 'pull_request_review'
        ? text(payload.review)
        : name === 'issues' && payload.action === 'opened'
          ? text(payload.issue)
          : undefined;
  if (body === undefined) return true;
  return typeof body === 'string' && body.includes('@');
}

export function createClawApp(deps: ClawAppDeps): ApplicationFunction {
  return (probot: Probot, options?: ApplicationFunctionOptions) => {
    const logger = (deps.logger ?? probot.log).child({ component: 'ingress' });
    const once = deps.once ?? createMemoryOnceStore();
    const permissions = deps.permissions ?? createPermissionGate();
    const loadConfig = deps.loadConfig ?? createRepoConfigLoader();
    const now = deps.now ?? Date.now;
    const reviewDebounceMs = deps.reviewDebounceMs ?? 10_000;
    const { queue } = deps;

    let botLogin: Promise<string> | undefined =
      deps.botLogin === undefined ? undefined : Promise.resolve(deps.botLogin);
    const ownLogin = () =>
      (botLogin ??= probot
        .auth()
        .then((octokit) => octokit.rest.apps.getAuthenticated())
        .then((response) => `${response.data?.slug ?? 'claw'}[bot]`)
        .catch((error: unknown) => {
          botLogin = undefined;
          throw error;
        }));

    if (deps.healthRoutes !== false && options?.addHandler !== undefined) {
      options.addHandler(
        createHealthHandler({ ping: () => queue.ping(), durable: queue.durable, logger }),
      );
    }

    const reportInvalidConfig = async (
      octokit: ClawOctokit,
      event: { name: string; payload: unknown },
      invalid: InvalidRepoConfigFile,
      log: Logger,
    ) => {
      // Only where someone was asking for Claw (judged with the defaults), and once per version of the file.
      const decision = classifyEvent(event, {
        config: DEFAULT_REPO_CONFIG,
        botLogin: await ownLogin(),
      });
      if (!('trigger' in decision)) {
        log.debug(
          { reason: decision.ignore },
          'invalid .github/claw.yml; the event would not trigger anyway',
        );
        return;
      }
      const { trigger } = decision;
      const key =
        `config:${trigger.owner}/${trigger.repo}:${invalid.sha ?? 'unknown'}`.toLowerCase();
      if (!(await once.claim(key, POLITE_REPLY_TTL_MS))) {
        log.info('invalid .github/claw.yml; already reported for this version of the file');
        return;
      }
      const problems =
        invalid.error instanceof RepoConfigError
          ? invalid.error.problems.map((p) => `- \`${p.key}\`: ${p.message}`).join('\n')
          : `- ${describeError(invalid.error)}`;
      await octokit.rest.issues.createComment({
        owner: trigger.owner,
        repo: trigger.repo,
        issue_number: trigger.number,
        body: `I can't act here because \`.github/claw.yml\` is invalid:\n\n${problems}\n\nFix the file on the default branch and ask again. Nothing was run.`,
      });
      log.warn(
        { problems: invalid.message },
        'invalid .github/claw.yml; reported it and ran nothing',
      );
    };

    const refusePolitely = async (
      octokit: ClawOctokit,
      trigger: Trigger,
      phrase: string,
      log: Logger,
    ) => {
      const key = `polite:${targetKey(trigger)}`;
      if (!(await once.claim(key, POLITE_REPLY_TTL_MS))) return;
      try {
        await octokit.rest.issues.createComment({
          owner: trigger.owner,
          repo: trigger.repo,
          issue_number: trigger.number,
          body: `Thanks for the mention, @${trigger.actor}! Only people with write access to this repository can ask me to work here. A maintainer can ask on your behalf with \`${phrase} …\`.`,
        });
      } catch (error) {
        log.warn({ err: error }, 'could not post the permission notice');
      }
    };

    const handle = async (context: Context): Promise<WebhookOutcome> => {
      const payload = context.payload as unknown as Record<string, unknown>;
      const event = { name: context.name, payload };
      const key = `${context.name}.${String(payload.action)}`;
      // Made on first use: most deliveries are ignored, and their debug lines are off at the default level.
      let child: Logger | undefined;
      const log = () => (child ??= logger.child({ deliveryId: context.id, event: key }));
      const ignored = (fields: Record<string, unknown>) => {
        if (logger.isLevelEnabled('debug')) log().debug(fields, 'event ignored');
      };
      if (!HANDLED_EVENT_KEYS.has(key)) {
        ignored({ reason: `${key} is not an event Claw acts on` });
        return 'ignored';
      }
      if (!mayMention(context.name, payload)) {
        ignored({ reason: 'no @-mention in the text' });
        return 'ignored';
      }
      const octokit = context.octokit as unknown as ClawOctokit;
      const repository = payload.repository as
        { owner: { login: string }; name: string } | undefined;
      if (repository === undefined) {
        ignored({ reason: 'no repository in the payload' });
        return 'ignored';
      }
      const repo = { owner: repository.owner.login, repo: repository.name };
      let loaded: LoadedRepoConfig;
      try {
        loaded = await loadConfig(octokit, repo);
      } catch (error) {
        if (!(error instanceof InvalidRepoConfigFile)) throw error;
        await reportInvalidConfig(octokit, event, error, log());
        return 'invalid_config';
      }
      const decision = classifyEvent(event, { config: loaded.config, botLogin: await ownLogin() });
      if ('ignore' in decision) {
        ignored({ reason: decision.ignore });
        return 'ignored';
      }
      const { trigger } = decision;
      if (
        needsWriteAccess(trigger, loaded.config) &&
        !(await permissions.canWrite(octokit, repo, trigger.actor))
      ) {
        ignored({ reason: `${trigger.actor} has less than write access`, actor: trigger.actor });
        await refusePolitely(
          octokit,
          trigger,
          normalizePhrase(loaded.config.trigger_phrase),
          log(),
        );
        return 'denied';
      }

      if (trigger.kind === 'cancel') {
        const told = await queue.cancel(trigger, trigger.actor);
        log().info(
          { target: targetKey(trigger), jobs: told, reason: trigger.reason },
          'cancellation sent',
        );
        if (trigger.reaction.type !== 'none') {
          await addReaction(octokit, trigger).catch((error: unknown) =>
            log().warn({ err: error }, 'could not react'),
          );
        }
        return 'cancel';
      }

      const jobId = jobIdFromDelivery(context.id);
      const coalesce =
        trigger.kind === 'review-pr' && trigger.reason === 'auto'
          ? { key: `review-${targetKey(trigger)}`, windowMs: reviewDebounceMs }
          : undefined;
      const acknowledged = coalesce === undefined;
      const jobPayload = payloadFromTrigger(trigger, context.id, now(), {
        awaitTrackingComment: acknowledged,
      });
      // Workers post 👀 and the tracking comment; the web process makes no GitHub writes before answering.
      const ack: AckRequest | undefined = acknowledged
        ? {
            deliveryId: context.id,
            installationId: trigger.installationId,
            owner: trigger.owner,
            repo: trigger.repo,
            number: trigger.number,
            kind: trigger.kind,
            reaction: trigger.reaction,
          }
        : undefined;
      const stored = await queue.enqueue(
        jobId,
        jobPayload,
        coalesce !== undefined ? { coalesce } : ack !== undefined ? { acknowledge: ack } : {},
      );
      if (stored.duplicate) {
        log().info({ jobId }, 'duplicate delivery: the job is already stored');
        return 'duplicate';
      }
      const position = stored.position;
      log().info(
        {
          jobId: stored.jobId,
          kind: trigger.kind,
          created: stored.created,
          target: targetKey(trigger),
          position,
        },
        'job stored',
      );
      if (ack !== undefined && stored.created && stored.acknowledged !== true) {
        // Not stored with the job: the inline runner never does, and Redis may have refused it.
        try {
          await queue.acknowledge({ ...ack, jobId, position });
        } catch (error) {
          // The job is stored and will run; a 503 now would only make GitHub redeliver a no-op.
          log().warn({ err: error, jobId }, 'could not schedule the acknowledgement');
        }
      }
      return 'enqueued';
    };

    const count = (event: string, outcome: WebhookOutcome) => {
      try {
        deps.onWebhook?.(event, outcome);
      } catch (error) {
        logger.warn({ err: error }, 'the webhook outcome listener failed');
      }
    };

    probot.on([...SUBSCRIBED_EVENTS], async (context) => {
      try {
        count(context.name, await handle(context as unknown as Context));
      } catch (error) {
        count(context.name, error instanceof RedisUnavailableError ? 'unavailable' : 'error');
        if (error instanceof RedisUnavailableError) {
          logger.error(
            { deliveryId: context.id, event: context.name },
            'Redis is unavailable: answering 503 so GitHub can redeliver this delivery',
          );
          throw serviceUnavailable(error);
        }
        logger.error(
          { err: error, deliveryId: context.id, event: context.name },
          'webhook handling failed',
        );
        throw error;
      }
    });

    probot.on([...INSTALLATION_EVENTS], (context) => {
      const payload = context.payload as {
        action?: string;
        installation?: { id?: number; account?: { login?: string } };
      };
      logger.info(
        {
          deliveryId: context.id,
          event: `${context.name}.${payload.action ?? ''}`,
          installationId: payload.installation?.id,
          account: payload.installation?.account?.login,
        },
        'installation changed',
      );
      count(context.name, 'ignored');
      return Promise.resolve();
    });
  };
}

/**
 * The default export Probot loads (`probot run ./dist/app.js`): jobs run in-process, since a bare Probot run has
 * no worker. `claw web`, `claw worker` and `claw start` use createClawApp with a Redis queue instead.
 */
export default async function app(
  probot: Probot,
  options?: ApplicationFunctionOptions,
): Promise<void> {
  const env = loadEnv();
  const privateKey = await loadPrivateKey(env);
  const deps = await createFlowDepsFromEnv({
    env,
    logger: probot.log,
    ...(privateKey === undefined ? {} : { privateKey }),
  });
  const queue = createInlineRunner({
    handlers: createShippedHandlers(deps),
    octokitFactory: {
      forInstallation: async (installationId) =>
        (await probot.auth(installationId)) as unknown as ClawOctokit,
    },
    logger: probot.log,
  });
  probot.log.warn(
    'Claw runs jobs in-process (no REDIS_URL): they are not durable. Use `claw start` with REDIS_URL in production.',
  );
  await createClawApp({ queue })(
    probot,
    options ?? { cwd: process.cwd(), addHandler: () => undefined },
  );
}
