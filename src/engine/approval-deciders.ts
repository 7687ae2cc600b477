import { listExecutableConnections } from "../connections/index.js";
import type { DbOrTx } from "../db/index.js";
import type { RunStepTable, RunTable } from "../runs/index.js";
import { hasExpression, inProject, referencedSteps } from "../workflows/index.js";
import type { EngineDeps } from "./engine-deps.js";
import { contextFor, evaluate } from "./inline-steps.js";
import { runPrincipal } from "./run-principal.js";
import { parsePlan, type ApprovalDeciders, type StepPlan } from "./step-plan.js";

type Earlier = Pick<RunStepTable, "idx" | "step_id" | "status" | "output">[];

interface ApprovalDef {
  id: string;
  approval: { connection?: string };
}

interface ActionSelectors {
  connection?: unknown;
  connections?: unknown;
  forEach?: string;
}

/**
 * The approval's connection (as given, or its expression's value) is not one of the org's: the
 * step fails with this outcome (src/runs/outcome-codes.ts), as a run records, not an HTTP error.
 */
export class ApprovalConnectionUnknown extends Error {
  readonly code = "APPROVAL_CONNECTION_UNKNOWN";
}

/**
 * Whose grant decides an approval, fixed when it starts to wait (stored in its plan): its
 * `connection`, evaluated now when it is an expression, which must name a connection of the org
 * (otherwise the step fails: nobody's grant could say who decides); without one, the connections
 * of the action steps after it, the steps it gates, as far as they are known before they run (a
 * literal name or list, a tag or "*" as the run's principal may execute them now, an expression
 * that needs nothing after the approval); where a later step's connections cannot be known yet
 * (an expression reading a later step, or a forEach's), the connections the run used so far are
 * added, as they are when no later step uses a connection at all.
 */
export async function approvalDeciders(
  deps: EngineDeps,
  run: RunTable,
  earlier: Earlier,
  step: Pick<RunStepTable, "idx">,
  plan: StepPlan,
): Promise<ApprovalDeciders> {
  const def = plan.def as unknown as ApprovalDef;
  const named = def.approval.connection;
  if (named !== undefined) {
    const value = hasExpression(named)
      ? await evaluate(
          named,
          `steps.${def.id}.approval.connection`,
          await contextFor(deps, run, earlier, plan),
        )
      : named;
    const found =
      typeof value === "string" ? await existingNames(deps.db, run.org_id, [value]) : [];
    if (typeof value !== "string" || found.length === 0) {
      throw new ApprovalConnectionUnknown(
        `approval ${def.id}'s connection ${
          named === value ? named : `${named} (${JSON.stringify(value) ?? "undefined"})`
        } is not a connection of this org, so nobody's grant can decide it: name an existing connection`,
      );
    }
    return { connections: found, from: ["named"] };
  }

  const later = await deps.db
    .selectFrom("run_steps")
    .select(["plan"])
    .where("run_id", "=", run.id)
    .where("idx", ">", step.idx)
    .where("kind", "=", "action")
    .orderBy("idx")
    .execute();
  const gated = new Set<string>();
  let unknown = false;
  const everyExecutable = lazy(async () => {
    const principal = await runPrincipal(deps.db, run.org_id, run.run_as_user_id ?? "");
    const mayUse = inProject(await projectOf(deps.db, run));
    return (await listExecutableConnections(deps.db, principal)).filter(mayUse);
  });
  for (const row of later) {
    const laterPlan = parsePlan(row.plan);
    const selectors = laterPlan.def as unknown as ActionSelectors;
    const values =
      selectors.connection === undefined && selectors.connections === undefined
        ? ["*"]
        : [selectors.connection, selectors.connections].filter((v) => v !== undefined);
    for (const selector of values) {
      const value = await knownSelector(deps, run, earlier, laterPlan, selector);
      const names = value === undefined ? undefined : await selected(value, everyExecutable);
      if (names === undefined) unknown = true;
      else for (const name of names) gated.add(name);
    }
  }
  const connections = await existingNames(deps.db, run.org_id, [...gated]);
  const from: ApprovalDeciders["from"] = connections.length > 0 ? ["gated"] : [];
  if (unknown || connections.length === 0) {
    from.push("earlier");
    const used = await deps.db
      .selectFrom("run_targets")
      .select("connection_name")
      .distinct()
      .where("run_id", "=", run.id)
      .execute();
    for (const { connection_name } of used)
      if (!connections.includes(connection_name)) connections.push(connection_name);
  }
  return { connections, from };
}

/**
 * A later step's connection selector as it will be, when that is known now: a literal, or an
 * expression that reads only the inputs and the steps before the approval (not in a forEach,
 * whose items are not known yet).
 */
async function knownSelector(
  deps: EngineDeps,
  run: RunTable,
  earlier: Earlier,
  plan: StepPlan,
  selector: unknown,
): Promise<unknown> {
  if (typeof selector !== "string" || !hasExpression(selector)) return selector;
  if ((plan.def as ActionSelectors).forEach !== undefined) return undefined;
  const before = new Set(earlier.map((s) => s.step_id));
  if (!referencedSteps(selector).every((id) => before.has(id))) return undefined;
  try {
    return await evaluate(
      selector,
      `steps.${plan.def.id}.connections`,
      await contextFor(deps, run, earlier, plan),
    );
  } catch {
    // It fails when the step runs too; until then, who decides falls back.
    return undefined;
  }
}

/** The connection names a selector value chooses; undefined when it is not one. */
async function selected(
  value: unknown,
  everyExecutable: () => Promise<{ name: string; tags: Record<string, string> }[] | undefined>,
): Promise<string[] | undefined> {
  if (typeof value === "string" && value !== "*") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  const tag =
    typeof value === "object" &&
    value !== null &&
    typeof (value as { tag?: unknown }).tag === "string"
      ? (value as { tag: string }).tag
      : undefined;
  if (value !== "*" && (tag === undefined || !tag.includes("="))) return undefined;
  const executable = await everyExecutable();
  if (executable === undefined) return undefined;
  if (tag === undefined) return executable.map((c) => c.name);
  const [key, wanted] = [tag.slice(0, tag.indexOf("=")), tag.slice(tag.indexOf("=") + 1)];
  return executable.filter((c) => c.tags[key] === wanted).map((c) => c.name);
}

/** Computed once, when first asked; undefined when it cannot be (the run-as user is gone). */
function lazy<T>(compute: () => Promise<T>): () => Promise<T | undefined> {
  let result: Promise<T | undefined> | undefined;
  return () => (result ??= compute().catch(() => undefined));
}

async function projectOf(db: DbOrTx, run: RunTable): Promise<string | null> {
  if (run.workflow_id === null) return null;
  const row = await db
    .selectFrom("workflows")
    .select("project_id")
    .where("id", "=", run.workflow_id)
    .executeTakeFirst();
  return row?.project_id ?? null;
}

/** The names of `names` that are connections of the org, in the order given. */
async function existingNames(db: DbOrTx, orgId: string, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const found = new Set<string>();
  // Chunks keep the statement's parameters under SQLite's and PostgreSQL's limits.
  for (let i = 0; i < names.length; i += 500) {
    const rows = await db
      .selectFrom("connections")
      .select("name")
      .where("org_id", "=", orgId)
      .where("name", "in", names.slice(i, i + 500))
      .execute();
    for (const row of rows) found.add(row.name);
  }
  return names.filter((name) => found.has(name));
}
