import type { ActionDefinition, SdkClientCache } from "../actions/index.js";
import type { Actor, CredentialDeps } from "../connections/index.js";
import type { StoredOutput } from "../runs/index.js";
import { accessRefusal } from "./access-refusal.js";
import { dryRunOutcome } from "./dry-run.js";
import type { Limiter } from "./limiter.js";
import { targetError } from "./target-error.js";
import { failedOnCredentials, targetContext } from "./target-context.js";
import type { AccessCheck, Target, TargetOutcome } from "./target.js";

export interface RunTargetDeps {
  credentials: CredentialDeps;
  /** SDK clients shared across runs, per (connection version, user, region, service). */
  clients: SdkClientCache;
}

/** What running an action on a target needs besides the target; the same for every target of a run. */
export interface TargetRunOptions {
  action: ActionDefinition;
  /** The action's input, already validated. */
  input: unknown;
  /** Whether each access setting allows the action (actions' accessCheckOf). */
  access: AccessCheck;
  /**
   * The output as stored: redacted by the action's redaction plan, serialized, cut at the cap
   * (actions' outputStoreOf).
   */
  storeOutput: (output: unknown) => StoredOutput;
  /** Who runs it: names the AWS session, so CloudTrail shows the person and the run. */
  actor: Actor;
  request: { maxItems: number | undefined; pageSize: number | undefined };
  /** Aborting it abandons the call in flight (it reaches the SDK) and sends no new one. */
  signal: AbortSignal;
  /** Bounds the calls in flight per target bucket. */
  limiter: Limiter;
  /**
   * Called once, just after the target's first request to AWS has left (never if none did): a
   * read's record can be written while AWS answers.
   */
  onSent?: () => void;
}

// Thrown inside the limiter when the run was cancelled while the target waited for its slot.
class NotSent extends Error {}

function cutWhileCollecting(output: unknown): boolean {
  return typeof output === "object" && output !== null && "truncated" in output;
}

function rounded(t0: number): number {
  return Math.round((performance.now() - t0) * 100) / 100;
}

/**
 * Runs the action on one target and says how it went; never throws for the target's own failure
 * (one failing target never stops the others). The connection's access setting is checked here,
 * per target, before any request; a preset target (skipped, refused) is reported as it is.
 */
export async function runTarget(
  deps: RunTargetDeps,
  target: Target,
  options: TargetRunOptions,
): Promise<TargetOutcome> {
  const { action, input, actor, signal } = options;
  const base = {
    connection: target.name,
    accountId: target.connection?.accountId ?? null,
    region: target.region,
  };
  const connection = target.connection;
  if (target.preset !== undefined || connection === undefined) {
    const preset = target.preset ?? { status: "refused" as const };
    return {
      result: {
        ...base,
        durationMs: 0,
        status: preset.status,
        ...(preset.error === undefined ? {} : { error: preset.error }),
      },
      stored: null,
      bytes: 0,
    };
  }
  const t0 = performance.now();
  let decision;
  try {
    decision = await options.access(connection.access);
  } catch (error) {
    // Switchboard cannot evaluate the action against the setting: fail closed, send nothing.
    return {
      result: {
        ...base,
        status: "failed",
        durationMs: rounded(t0),
        error: targetError(error, connection, target.region),
      },
      stored: null,
      bytes: 0,
    };
  }
  if (!decision.allowed) {
    const refusal = accessRefusal(action.id, connection, decision);
    return {
      result: {
        ...base,
        status: "refused",
        durationMs: rounded(t0),
        error: { code: refusal.code, message: refusal.message },
      },
      stored: null,
      bytes: 0,
    };
  }
  // The session AWS logged the calls under: CloudTrail finds them by it.
  const session = (): { awsSession?: string } => {
    const name = deps.credentials.cache.sessionOf(connection.id, actor.userName);
    return name === undefined ? {} : { awsSession: name };
  };
  let sent = false;
  try {
    const bucket =
      target.bucket ?? `connection:${connection.id}/${target.region}/${action.sdkService}`;
    const output = await options.limiter.run(bucket, async () => {
      if (signal.aborted) throw new NotSent();
      sent = true;
      const context = targetContext(
        deps.credentials,
        connection,
        target.region,
        actor,
        { ...options.request, signal, onSent: options.onSent },
        deps.clients,
      );
      return action.run(context, input).catch(dryRunOutcome);
    });
    const stored = options.storeOutput(output);
    return {
      result: {
        ...base,
        status: "succeeded",
        durationMs: rounded(t0),
        output: stored.shown,
        // Cut by the cap when stored, or while its pages were collected (collectPages).
        ...(stored.truncated || cutWhileCollecting(output) ? { outputTruncated: true } : {}),
        ...session(),
      },
      stored: stored.stored,
      bytes: stored.bytes,
    };
  } catch (error) {
    const cancelled = signal.aborted;
    return {
      result: {
        ...base,
        status: "failed",
        durationMs: rounded(t0),
        error: cancelled
          ? {
              code: "Cancelled",
              message: sent
                ? "the run was cancelled while this call was in flight: AWS may have received it"
                : "the run was cancelled before this call was sent",
            }
          : targetError(error, connection, target.region),
        // No session when there were no credentials to make one.
        ...(failedOnCredentials(error) || !sent ? {} : session()),
      },
      stored: null,
      bytes: 0,
      ...(cancelled ? { cancelled: { sent } } : {}),
    };
  }
}
