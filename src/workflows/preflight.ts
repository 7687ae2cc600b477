import type { Principal } from "../access/index.js";
import {
  checkAccess,
  findAction,
  iamActionsOf,
  minimalPolicy,
  serviceOf,
  strongestAccessLevel,
} from "../actions/index.js";
import { visibleConnection } from "../connections/index.js";
import type { Db } from "../db/index.js";
import { chooseTargets, planTarget, type Selection } from "../fan-out/index.js";
import { hasExpression, type WorkflowDefinition, type WorkflowStep } from "./definition-schema.js";
import { compileTemplate, type ExpressionContext } from "./expressions.js";
import { httpSecretRefusals } from "./http-secret-hosts.js";
import type { PreflightResponse } from "./schemas.js";
import { inProject, namesConnections, projectScoped } from "./project-scope.js";
import { stepSelection } from "./step-selection.js";
import type { WorkflowTable } from "./workflow.table.js";

type PreflightStep = PreflightResponse["steps"][number];

function isDynamic(value: unknown): boolean {
  if (typeof value === "string") return hasExpression(value);
  if (Array.isArray(value)) return value.some(isDynamic);
  if (typeof value === "object" && value !== null) return Object.values(value).some(isDynamic);
  return false;
}

/** A value that depends only on the run's inputs is known before the run: evaluate it now. */
async function knownValue(
  value: unknown,
  path: string,
  inputs: Record<string, unknown>,
): Promise<{ known: boolean; value: unknown }> {
  if (!isDynamic(value)) return { known: true, value };
  const text = JSON.stringify(value);
  if (/\b(steps|item|index|secrets)\b/.test(text)) return { known: false, value: undefined };
  const context: ExpressionContext = { inputs, steps: {}, run: { id: "preflight", startedBy: "" } };
  return { known: true, value: await compileTemplate(value, path).evaluate(context) };
}

interface ActionStepDef {
  id: string;
  action: string;
  connection?: unknown;
  connections?: unknown;
  region?: unknown;
  regions?: unknown;
  everyConnection?: boolean;
  input?: unknown;
  forEach?: string;
}

/**
 * What a run of the workflow would do, worked out without sending anything to AWS: each step's
 * targets (connection, account, region) and whether each would run, be refused or be skipped;
 * the grants the principal lacks; the steps a connection's access setting refuses; and per
 * connection the least-privilege IAM policy its role needs for this workflow.
 */
export async function preflightWorkflow(
  deps: { db: Db },
  principal: Principal,
  run: PreflightRun,
): Promise<PreflightResponse> {
  return preflight(deps, principal, run, false);
}

/**
 * The grants the principal lacks on the connections the workflow's steps name (as preflight
 * reports them), and nothing else: what a run's start refuses on. Preflight's targets, access
 * refusals and IAM policies are not worked out (a fan-out's start chose and planned every target
 * only to drop them); each step checks its targets again when it starts.
 */
export async function missingGrantsOf(
  deps: { db: Db },
  principal: Principal,
  run: PreflightRun,
): Promise<PreflightResponse["missingGrants"]> {
  return (await preflight(deps, principal, run, true)).missingGrants;
}

interface PreflightRun {
  workflow: WorkflowTable;
  version: number;
  definition: WorkflowDefinition;
  inputs: Record<string, unknown>;
}

async function preflight(
  deps: { db: Db },
  principal: Principal,
  run: PreflightRun,
  grantsOnly: boolean,
): Promise<PreflightResponse> {
  const steps: PreflightStep[] = [];
  const missingGrants: PreflightResponse["missingGrants"] = [];
  const accessRefusals: PreflightResponse["accessRefusals"] = [];
  const perConnection = new Map<string, Set<string>>();
  let secretRefusals = 0;

  for (const step of run.definition.steps) {
    if (!("action" in step)) {
      if (grantsOnly) continue;
      // An http step's secrets, each refused unless its writer allowed the step's host.
      const url =
        "http" in step
          ? await knownValue(step.http.url, `steps.${step.id}.http.url`, run.inputs).catch(
              () => undefined,
            )
          : undefined;
      const refused = await httpSecretRefusals(deps.db, principal.orgId, step, url?.value);
      secretRefusals += refused.length;
      steps.push({
        id: step.id,
        kind: kindOf(step),
        iamActions: [],
        targets: [],
        targetsKnown: true,
        notes: refused.map((r) => r.error.message),
      });
      continue;
    }
    const def = step as unknown as ActionStepDef;
    const at = `steps.${def.id}`;
    const notes: string[] = [];
    const action = findAction(def.action);
    const input = await knownValue(def.input ?? {}, `${at}.input`, run.inputs);
    let iamActions: string[];
    try {
      iamActions = iamActionsOf(action, input.known ? input.value : undefined);
    } catch {
      iamActions = [];
      notes.push("its IAM permission depends on an input known only when it runs");
    }
    const accessLevel = await strongestAccessLevel(iamActions);

    const given: Selection = {};
    let targetsKnown = def.forEach === undefined;
    for (const key of ["connection", "connections", "region", "regions"] as const) {
      if (def[key] === undefined) continue;
      const value = await knownValue(def[key], `${at}.${key}`, run.inputs);
      if (!value.known) targetsKnown = false;
      else (given as Record<string, unknown>)[key] = value.value;
    }
    if (def.everyConnection === true) given.everyConnection = true;
    const selection = stepSelection(given);
    const result: PreflightStep = {
      id: def.id,
      kind: "action",
      action: def.action,
      iamActions,
      ...(accessLevel === undefined ? {} : { accessLevel }),
      targets: [],
      targetsKnown,
      notes,
    };
    steps.push(result);
    if (!targetsKnown) {
      notes.push(
        "its targets depend on earlier steps' results (forEach or expressions): they are checked when the step starts",
      );
      continue;
    }
    // Named connections the principal cannot execute: a missing grant, said precisely.
    const named =
      selection.connection !== undefined
        ? [selection.connection]
        : Array.isArray(selection.connections)
          ? selection.connections
          : [];
    for (const name of named) {
      // Only a connection the principal can see is described: anything else, existing or not,
      // is the same missing grant, so preflight tells nobody which connections exist.
      const visible = await visibleConnection(deps.db, principal, name).catch(() => undefined);
      const roles = visible?.roles ?? [];
      if (!roles.includes("executor")) {
        missingGrants.push({
          step: def.id,
          connection: name,
          role: "executor",
          reason:
            visible === undefined
              ? `${principal.userName} has no role on a connection of that name`
              : `${principal.userName} has ${roles.join(", ")} on it`,
        });
      }
    }
    if (grantsOnly) continue;
    let service: { service: string; global: boolean };
    try {
      service = await serviceOf(action, input.known ? input.value : undefined);
    } catch {
      service = { service: action.sdkService, global: false };
    }
    const access = (setting: "view" | "read" | "full") => checkAccess(setting, iamActions);
    let targets;
    try {
      targets = await chooseTargets(deps, principal, selection, {
        access,
        ...service,
        mayUse: inProject(run.workflow.project_id),
      });
    } catch (error) {
      notes.push(error instanceof Error ? error.message : String(error));
      continue;
    }
    for (const chosenTarget of targets) {
      const target = projectScoped(chosenTarget, run.workflow.project_id);
      // "*" and tags leave another project's connections out, as the run does.
      if (!namesConnections(selection) && target.preset?.error?.code === "PROJECT_SCOPE") continue;
      // The same outcome a single action's plan gives its targets (fan-out's planTarget).
      const { accessRefused, ...planned } = await planTarget(def.action, target, access);
      result.targets.push(planned);
      if (accessRefused !== undefined) {
        if (!accessRefusals.some((r) => r.step === def.id && r.connection === planned.connection))
          accessRefusals.push({ step: def.id, connection: planned.connection, ...accessRefused });
        continue;
      }
      if (planned.outcome !== "runs") continue;
      const set = perConnection.get(planned.connection) ?? new Set<string>();
      for (const a of iamActions) set.add(a);
      perConnection.set(planned.connection, set);
    }
  }
  const permissions = [...perConnection.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([connection, actions]) => ({
      connection,
      iamActions: [...actions].sort(),
      policy: minimalPolicy([...actions]),
    }));
  return {
    workflow: run.workflow.name,
    version: run.version,
    runAs: principal.userName,
    steps,
    missingGrants,
    accessRefusals,
    permissions: permissions,
    ok: missingGrants.length === 0 && accessRefusals.length === 0 && secretRefusals === 0,
  };
}

function kindOf(step: WorkflowStep): PreflightStep["kind"] {
  if ("transform" in step) return "transform";
  if ("http" in step) return "http";
  if ("approval" in step) return "approval";
  return "action";
}
