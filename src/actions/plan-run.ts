import type { Principal } from "../access/index.js";
import {
  asRunRequestError,
  chooseTargets,
  isSingleSelection,
  planTarget,
  type PlannedTarget,
  type Target,
} from "../fan-out/index.js";
import { SwitchboardError } from "../errors.js";
import type { ActionDeps } from "./action-deps.js";
import { isWriteLevel, strongestAccessLevel } from "./catalog-info.js";
import { prepareAction, type PreparedAction } from "./run-action.js";
import type { RunPlan, RunPlanTarget, RunRequest } from "./schemas.js";

// What stops a single target before its run exists: said in the plan as the target refused.
const SINGLE_REFUSALS = new Set(["FORBIDDEN", "NOT_FOUND", "REGION_NOT_ALLOWED"]);

function asPlanTarget(planned: PlannedTarget): RunPlanTarget {
  const { accessRefused: _a, ...target } = planned;
  return target;
}

/** What each chosen target would come to: the same check the run makes on each. */
export async function planTargets(
  prepared: Pick<PreparedAction, "action" | "access">,
  targets: readonly Target[],
): Promise<RunPlanTarget[]> {
  const planned = await Promise.all(
    targets.map((t) => planTarget(prepared.action.id, t, prepared.access)),
  );
  return planned.map(asPlanTarget);
}

/** The plan of a prepared run, from its targets' outcomes. */
export async function describePlan(
  prepared: Pick<PreparedAction, "action" | "iamActions">,
  request: Pick<RunRequest, "connection" | "region" | "everyConnection">,
  targets: RunPlanTarget[],
): Promise<RunPlan> {
  const level = await strongestAccessLevel(prepared.iamActions);
  const count = (outcome: RunPlanTarget["outcome"]) =>
    targets.filter((t) => t.outcome === outcome).length;
  return {
    action: prepared.action.id,
    iamActions: prepared.iamActions,
    accessLevel: level ?? "Read",
    write: isWriteLevel(level),
    single: isSingleSelection(request),
    everyConnection: request.everyConnection === true,
    summary: {
      total: targets.length,
      runs: count("runs"),
      refused: count("refused"),
      skipped: count("skipped"),
    },
    targets,
  };
}

/**
 * The plan of a run of the action with this request, computed without calling AWS: the same
 * checks and target choice as the run (prepareAction, chooseTargets, the per-target access
 * check). A request the run would refuse as a whole (an unknown action, an invalid input or
 * selection) is the same API error; a single target the principal may not execute, or whose
 * connection lacks the region or the access, is a refused target of the plan.
 */
export async function planRun(
  deps: ActionDeps,
  principal: Principal,
  actionId: string,
  request: RunRequest,
): Promise<RunPlan> {
  const prepared = await prepareAction(actionId, request.input);
  let targets: Target[];
  try {
    targets = await chooseTargets(deps, principal, request, prepared);
  } catch (error) {
    const code = error instanceof SwitchboardError ? error.code : undefined;
    const connection = request.connection;
    if (
      !isSingleSelection(request) ||
      connection === undefined ||
      code === undefined ||
      !SINGLE_REFUSALS.has(code)
    )
      throw asRunRequestError(error);
    return describePlan(prepared, request, [
      {
        connection,
        accountId: null,
        region: request.region ?? "-",
        outcome: "refused",
        // Not found and not executable read alike: the plan says nothing about what exists.
        code: code === "NOT_FOUND" ? "FORBIDDEN" : code,
        reason:
          code === "NOT_FOUND"
            ? `no connection ${connection} that you may execute`
            : (error as Error).message,
      },
    ]);
  }
  return describePlan(prepared, request, await planTargets(prepared, targets));
}

/** The plan as a run records it: its targets are the run's own. */
export function recordedPlanOf(plan: RunPlan): Omit<RunPlan, "targets" | "action" | "single"> {
  const { targets: _t, action: _a, single: _s, ...recorded } = plan;
  return recorded;
}
