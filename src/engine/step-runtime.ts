import type { Principal } from "../access/index.js";
import { prepareAction, type PreparedAction } from "../actions/index.js";
import { visibleConnection, type Actor, type ConnectionRecord } from "../connections/index.js";
import { openRecord } from "../keystore/index.js";
import type { EngineDeps } from "./engine-deps.js";
import { openRunInput, stepInputScope } from "./run-context.js";
import { runPrincipal } from "./run-principal.js";
import { parsePlan, type ActionPlan, type StepPlan } from "./step-plan.js";

/**
 * What every target of a running action step shares, built once per step per worker process
 * (and again after a short while, so a grant revoked mid-step is seen): the action and its
 * checked input, the principal, the connections it may execute, the actor that names AWS sessions.
 */
export interface StepRuntime {
  runId: string;
  orgId: string;
  stepIdx: number;
  plan: StepPlan & { action: ActionPlan };
  /** The step's input prepared; per-target inputs (forEach) are prepared per target. */
  prepared: PreparedAction | undefined;
  principal: Principal;
  actor: Actor;
  /**
   * The connection of that name if the principal may execute it now; looked up once per name
   * (a single action reads one connection, not every connection the user may execute).
   */
  connection(name: string): Promise<ConnectionRecord | undefined>;
  retry: { attempts: number; baseMs: number; maxMs: number };
  timeoutMs: number | undefined;
  continueOnError: boolean;
}

/** Whom a run's AWS sessions name: the person it runs as, and the run, so CloudTrail shows who ran what. */
export function runActor(principal: Principal, runId: string): Actor {
  return {
    orgId: principal.orgId,
    orgName: principal.orgName,
    userName: principal.userName,
    requestId: `run_${runId.slice(-12)}`,
    sourceIp: null,
  };
}

const RUNTIME_TTL_MS = 5_000;
const cache = new Map<string, { runtime: Promise<StepRuntime>; expires: number }>();

export interface StepRow {
  run_id: string;
  org_id: string;
  idx: number;
  attempt: number;
  plan: string | null;
  input_sealed: string | null;
  run_as_user_id: string | null;
  run_input: string;
  run_input_sealed: string | null;
}

export function stepRuntime(deps: EngineDeps, row: StepRow): Promise<StepRuntime> {
  const key = `${row.run_id}:${row.idx}:${row.attempt}`;
  const now = Date.now();
  const hit = cache.get(key);
  if (hit !== undefined && hit.expires > now) return hit.runtime;
  if (cache.size > 1000) {
    for (const [k, v] of cache) if (v.expires <= now) cache.delete(k);
  }
  const runtime = buildRuntime(deps, row);
  cache.set(key, { runtime, expires: now + RUNTIME_TTL_MS });
  runtime.catch(() => cache.delete(key));
  return runtime;
}

async function buildRuntime(deps: EngineDeps, row: StepRow): Promise<StepRuntime> {
  const plan = parsePlan(row.plan);
  if (plan.action === undefined)
    throw new Error(`step ${row.idx} of run ${row.run_id} has no action plan`);
  const principal = await runPrincipal(deps.db, row.org_id, row.run_as_user_id ?? "");
  let prepared: PreparedAction | undefined;
  if (!plan.action.perTargetInput) {
    const input = plan.inputFromRun
      ? openRunInput(deps.keystore, {
          id: row.run_id,
          org_id: row.org_id,
          input: row.run_input,
          input_sealed: row.run_input_sealed,
        })
      : row.input_sealed === null
        ? {}
        : openRecord(
            deps.keystore.keyring,
            stepInputScope(row.org_id, row.run_id, row.idx),
            row.input_sealed,
          );
    prepared = await prepareAction(plan.action.actionId, input);
  }
  const byName = new Map<string, Promise<ConnectionRecord | undefined>>();
  const connection = (name: string) => {
    let found = byName.get(name);
    if (found === undefined) {
      found = visibleConnection(deps.db, principal, name).then(
        ({ connection, roles }) => (roles.includes("executor") ? connection : undefined),
        () => undefined,
      );
      byName.set(name, found);
    }
    return found;
  };
  const def = plan.def as {
    retry?: { attempts: number; backoffSeconds: number; maxBackoffSeconds: number };
    timeoutMs?: number;
    onError?: string;
  };
  return {
    runId: row.run_id,
    orgId: row.org_id,
    stepIdx: row.idx,
    plan: plan as StepPlan & { action: ActionPlan },
    prepared,
    principal,
    actor: runActor(principal, row.run_id),
    connection,
    retry: {
      attempts: def.retry?.attempts ?? 1,
      baseMs: (def.retry?.backoffSeconds ?? 1) * 1000,
      maxMs: (def.retry?.maxBackoffSeconds ?? 60) * 1000,
    },
    timeoutMs: def.timeoutMs,
    continueOnError: def.onError === "continue",
  };
}
