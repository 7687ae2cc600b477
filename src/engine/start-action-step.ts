import { sql } from "kysely";
import type { PreparedAction } from "../actions/index.js";
import { chooseTargets, type Selection, type Target } from "../fan-out/index.js";
import { Refused } from "../errors.js";
import { sealRecord } from "../keystore/index.js";
import type { RunStepTable, RunTable } from "../runs/index.js";
import { isStepFinished } from "../runs/index.js";
import type { ExpressionContext } from "../workflows/index.js";
import type { StepOutcome } from "./advance-run.js";
import type { EngineDeps } from "./engine-deps.js";
import {
  asItems,
  inProject,
  namesConnections,
  projectScoped,
  stepSelection,
} from "../workflows/index.js";
import { conditionHolds, contextFor, evaluate } from "./inline-steps.js";
import { RUN_TARGET_QUEUE } from "./queues.js";
import { openRunInput, stepInputScope, targetInputScope } from "./run-context.js";
import { runPrincipal } from "./run-principal.js";
import type { ActionPlan, StepPlan } from "./step-plan.js";
import { insertTargetRows, targetJobs, targetRow } from "./step-targets.js";
import { isWrite } from "./action-step-plan.js";
import { prepareStepAction } from "./target-handlers.js";

type Earlier = Pick<RunStepTable, "idx" | "step_id" | "status" | "output">[];

interface ActionDef {
  id: string;
  action: string;
  connection?: unknown;
  connections?: unknown;
  region?: unknown;
  regions?: unknown;
  everyConnection?: boolean;
  input?: unknown;
  forEach?: string;
  concurrency?: number;
  maxItems?: number;
  pageSize?: number;
}

/** One forEach item (or the step itself): what it selects and runs. */
interface Item {
  selection: Selection;
  prepared: PreparedAction;
  /** Sealed on each of its targets when the step is a forEach. */
  input: unknown;
}

async function itemOf(
  def: ActionDef,
  context: ExpressionContext,
  at: string,
  runInput: unknown,
): Promise<Item> {
  const selection: Selection = {};
  if (def.connection !== undefined)
    selection.connection = (await evaluate(def.connection, `${at}.connection`, context)) as string;
  if (def.connections !== undefined)
    selection.connections = (await evaluate(
      def.connections,
      `${at}.connections`,
      context,
    )) as Selection["connections"];
  if (def.region !== undefined)
    selection.region = (await evaluate(def.region, `${at}.region`, context)) as string;
  if (def.regions !== undefined)
    selection.regions = (await evaluate(
      def.regions,
      `${at}.regions`,
      context,
    )) as Selection["regions"];
  if (def.everyConnection === true) selection.everyConnection = true;
  const input =
    runInput !== undefined
      ? runInput
      : def.input === undefined
        ? {}
        : await evaluate(def.input, `${at}.input`, context);
  return {
    selection: stepSelection(selection),
    prepared: await prepareStepAction(def.action, input),
    input,
  };
}

/**
 * Starts an action step: evaluates its `if`, its forEach items, selections and inputs, chooses
 * the targets (the run's principal as it is now: a grant removed since the run began refuses the
 * step), writes them and sends one queue job per target to run.
 */
export async function startActionStep(
  deps: EngineDeps,
  run: RunTable,
  earlier: Earlier,
  step: Pick<RunStepTable, "idx" | "step_id">,
  plan: StepPlan,
): Promise<StepOutcome | "started"> {
  const def = plan.def as unknown as ActionDef;
  const at = `steps.${def.id}`;
  const context = await contextFor(deps, run, earlier, plan);
  if (!(await conditionHolds(deps, run, earlier, plan, context))) {
    return {
      status: "skipped",
      error: { code: "CONDITION_FALSE", message: `step ${def.id}'s if was false` },
    };
  }
  const principal = await runPrincipal(deps.db, run.org_id, run.run_as_user_id ?? "");
  const runInput = plan.inputFromRun === true ? openRunInput(deps.keystore, run) : undefined;

  const items: Item[] = [];
  if (def.forEach !== undefined) {
    // One match of a JSONata filter is the item itself, no match is nothing: both are lists here.
    const list = asItems(await evaluate(def.forEach, `${at}.forEach`, context));
    for (const [index, item] of list.entries()) {
      items.push(await itemOf(def, { ...context, item, index }, `${at}[${index}]`, runInput));
    }
  } else {
    items.push(await itemOf(def, context, at, runInput));
  }

  const projectId =
    run.workflow_id === null
      ? null
      : ((
          await deps.db
            .selectFrom("workflows")
            .select("project_id")
            .where("id", "=", run.workflow_id)
            .executeTakeFirst()
        )?.project_id ?? null);

  const chosen: { target: Target; item: Item }[] = [];
  for (const item of items) {
    const { access, global, service } = item.prepared;
    const targets = await chooseTargets(deps, principal, item.selection, {
      access,
      global,
      service,
      ...(run.kind === "workflow" ? { mayUse: inProject(projectId) } : {}),
    }).catch((error: unknown) => {
      throw refusedMidRun(error, def.id, principal.userName, item.selection.connection);
    });
    // "*" and a tag mean the connections this workflow may use: another project's are left out.
    const byName = namesConnections(item.selection);
    for (const target of targets) {
      const inScope = run.kind === "workflow" ? projectScoped(target, projectId) : target;
      if (!byName && inScope.preset?.error?.code === "PROJECT_SCOPE") continue;
      chosen.push({ target: inScope, item });
    }
  }
  const first = items[0]?.prepared;
  const action: ActionPlan = {
    actionId: def.action,
    iamActions: [...new Set(items.flatMap((i) => i.prepared.iamActions))],
    service: first?.service ?? "",
    write: await isWrite(items.flatMap((i) => i.prepared.iamActions)),
    perTargetInput: def.forEach !== undefined,
    ...(def.maxItems === undefined ? {} : { maxItems: def.maxItems }),
    ...(def.pageSize === undefined ? {} : { pageSize: def.pageSize }),
  };

  const rows = await deps.db.transaction().execute(async (tx) => {
    const current = await tx
      .selectFrom("run_steps")
      .select("status")
      .where("run_id", "=", run.id)
      .where("idx", "=", step.idx)
      .executeTakeFirstOrThrow();
    if (isStepFinished(current.status)) return [];
    const max = await tx
      .selectFrom("run_targets")
      .select(sql<number | null>`max(idx)`.as("m"))
      .where("run_id", "=", run.id)
      .executeTakeFirst();
    const firstIdx = max?.m === null || max?.m === undefined ? 0 : Number(max.m) + 1;
    const rows = chosen.map(({ target, item }, i) =>
      targetRow(
        run.id,
        step.idx,
        firstIdx + i,
        target,
        action.perTargetInput && target.preset === undefined
          ? sealRecord(
              deps.keystore.keyring,
              targetInputScope(run.org_id, run.id, firstIdx + i),
              item.input,
            )
          : null,
        deps.clock.now().toISOString(),
      ),
    );
    // A forEach with a concurrency sends that many at first, and one more as each settles.
    const window = def.forEach === undefined ? undefined : def.concurrency;
    if (window !== undefined) {
      let sent = 0;
      for (const row of rows) {
        if (row.status !== "pending") continue;
        if (sent >= window) row.sent_at = null;
        else sent += 1;
      }
    }
    await insertTargetRows(tx, rows);
    const presets = rows.filter((r) => r.status !== "pending").length;
    await tx
      .updateTable("runs")
      .set((eb) => ({ target_count: eb("target_count", "+", rows.length) }))
      .where("id", "=", run.id)
      .execute();
    await tx
      .updateTable("run_steps")
      .set({
        first_target_idx: firstIdx,
        target_count: rows.length,
        window: window ?? null,
        settled_count: presets,
        plan: JSON.stringify({ ...plan, action }),
        input_sealed:
          action.perTargetInput || runInput !== undefined
            ? null
            : sealRecord(
                deps.keystore.keyring,
                stepInputScope(run.org_id, run.id, step.idx),
                items[0]?.input ?? {},
              ),
      })
      .where("run_id", "=", run.id)
      .where("idx", "=", step.idx)
      .execute();
    return rows;
  });
  await deps.queue.sendMany(RUN_TARGET_QUEUE, targetJobs(rows));
  deps.events.changed(run.id);
  return "started";
}

/**
 * The fan-out refuses one named connection the principal may not execute as it answers an API
 * request: "not found" when they cannot see it, "you need the executor role" when they can. In a
 * run, where the grant was checked when it started and may be gone since, say who lacks what.
 */
function refusedMidRun(
  error: unknown,
  stepId: string,
  userName: string,
  connection: string | undefined,
): unknown {
  const code = (error as { code?: string }).code;
  if (connection === undefined || (code !== "NOT_FOUND" && code !== "FORBIDDEN")) return error;
  return new Refused(
    "FORBIDDEN",
    `step ${stepId}: ${userName} may not execute connection ${connection} (no executor role on it now: a grant removed since the run started, or no such connection); nothing was sent`,
  );
}
