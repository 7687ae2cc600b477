import type { Principal } from "../access/index.js";
import type { RequestContext } from "../audit/index.js";
import { Refused } from "../errors.js";
import {
  cachedVersion,
  missingGrantsOf,
  resolveInputs,
  type WorkflowDefinition,
  type WorkflowTable,
  type WorkflowVersionTable,
} from "../workflows/index.js";
import type { EngineDeps } from "./engine-deps.js";
import { runPrincipal } from "./run-principal.js";
import { startRun } from "./start-run.js";

/** Whom a run of the workflow executes as: its runAs, else who starts it, else (schedule, webhook) its last editor. */
async function runAsOf(
  deps: EngineDeps,
  workflow: WorkflowTable,
  starter: Principal | undefined,
  edit: Pick<WorkflowVersionTable, "created_by" | "created_by_user_id">,
): Promise<Principal> {
  if (workflow.run_as_user_id !== null)
    return runPrincipal(deps.db, workflow.org_id, workflow.run_as_user_id);
  if (starter !== undefined) return starter;
  // The editor by id, never by name: a user created again under a deleted editor's name is
  // someone else, and the run must not execute with their grants.
  const user =
    edit.created_by_user_id === null
      ? undefined
      : await deps.db
          .selectFrom("users")
          .select("id")
          .where("org_id", "=", workflow.org_id)
          .where("id", "=", edit.created_by_user_id)
          .executeTakeFirst();
  if (user === undefined) {
    throw new Refused(
      "FORBIDDEN",
      `workflow ${workflow.name} was last saved by ${edit.created_by.replace(/^user:/, "")}, who no longer exists: save it again, or set runAs`,
    );
  }
  return runPrincipal(deps.db, workflow.org_id, user.id);
}

/**
 * Starts a run of a workflow's current version. The principal it executes as must be allowed to
 * run every step whose connections are known before it starts (checked again as each step starts).
 */
export async function startWorkflowRun(
  deps: EngineDeps,
  context: RequestContext,
  request: {
    workflow: WorkflowTable;
    starter?: Principal;
    trigger: "manual" | "api" | "schedule" | "webhook";
    inputs: Record<string, unknown>;
  },
): Promise<{ id: string }> {
  const { workflow } = request;
  const version = await cachedVersion(deps.db, workflow.id, workflow.current_version);
  const definition = JSON.parse(version.definition) as WorkflowDefinition;
  const inputs = resolveInputs(definition, request.inputs);
  const runAs = await runAsOf(deps, workflow, request.starter, version);
  const [missing] = await missingGrantsOf(deps, runAs, {
    workflow,
    version: version.version,
    definition,
    inputs,
  });
  if (missing !== undefined) {
    throw new Refused(
      "FORBIDDEN",
      `step ${missing.step}: ${runAs.userName} needs the ${missing.role} role on connection ${missing.connection} (${missing.reason}); nothing was run`,
    );
  }
  const started = await startRun(deps, context, {
    kind: "workflow",
    actor: context.actor,
    runAs,
    startedByUserId: request.starter?.userId ?? null,
    trigger: request.trigger,
    workflow: { id: workflow.id, name: workflow.name, version: version.version },
    steps: definition.steps.map((def) => ({ def })),
    input: inputs,
    inputShown: inputs,
    ...("timeoutMs" in definition && typeof definition.timeoutMs === "number"
      ? { timeoutMs: definition.timeoutMs }
      : {}),
  });
  return { id: started.runId };
}
