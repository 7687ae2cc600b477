import type { Limiter } from "./limiter.js";
import { runTarget, type RunTargetDeps, type TargetRunOptions } from "./run-target.js";
import { Semaphore } from "./semaphore.js";
import type { Target, TargetOutcome } from "./target.js";

export interface RunTargetsOptions extends TargetRunOptions {
  /** Calls of this run in flight at once, over all buckets. */
  maxInFlight: number;
  /** Targets already done (by an earlier attempt): not run again, and not reported. */
  isDone?: (idx: number) => boolean;
  /**
   * Called once per target as it settles (store it then, so a crash loses no settled target),
   * and awaited before runTargets resolves. Not called for a target the signal stopped before
   * its call was sent: it never ran.
   */
  onSettled: (idx: number, outcome: TargetOutcome) => Promise<void>;
}

/**
 * Runs many targets: each waits for its bucket's slot (options.limiter) and then for one of the
 * run's `maxInFlight` slots, in that order, so a target waiting on a busy account holds no run
 * slot. Aborting the signal sends no new call and abandons those in flight. Resolves once every
 * target has settled and been handed to onSettled; rejects with the first onSettled error then.
 */
export async function runTargets(
  deps: RunTargetDeps,
  targets: readonly Target[],
  options: RunTargetsOptions,
): Promise<void> {
  const { maxInFlight, isDone, onSettled, ...perTarget } = options;
  const overall = new Semaphore(maxInFlight);
  const limiter: Limiter = {
    run: (key, fn) => options.limiter.run(key, () => overall.run(fn)),
  };
  const settled = await Promise.allSettled(
    targets.map(async (target, idx) => {
      if (isDone?.(idx) === true || options.signal.aborted) return;
      const outcome = await runTarget(deps, target, { ...perTarget, limiter });
      if (outcome.cancelled?.sent === false) return;
      await onSettled(idx, outcome);
    }),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}
