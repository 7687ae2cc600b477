import type { DbOrTx } from "../db/index.js";
import { openRecord, type KeystoreDeps } from "../keystore/index.js";
import { readStoredOutput } from "../runs/index.js";
import type { ExpressionContext, StepContext } from "../workflows/index.js";

export function runInputScope(orgId: string, runId: string) {
  return { orgId, record: `run:${runId}` };
}

export function stepInputScope(orgId: string, runId: string, stepIdx: number) {
  return { orgId, record: `run:${runId}/step:${stepIdx}` };
}

export function targetInputScope(orgId: string, runId: string, idx: number) {
  return { orgId, record: `run:${runId}/target:${idx}` };
}

/** The run's input as given, unredacted. */
export function openRunInput(
  keystore: KeystoreDeps,
  run: { id: string; org_id: string; input_sealed: string | null; input: string },
): unknown {
  return run.input_sealed === null
    ? (JSON.parse(run.input) as unknown)
    : openRecord(keystore.keyring, runInputScope(run.org_id, run.id), run.input_sealed);
}

/**
 * What expressions of a step see: the run's inputs and the finished steps before it. Targets are
 * read only for the steps the expressions name (a step may have thousands).
 */
export async function expressionContext(
  deps: { db: DbOrTx; keystore: KeystoreDeps },
  run: {
    id: string;
    org_id: string;
    actor: string;
    input: string;
    input_sealed: string | null;
  },
  // `kind` when known: only action steps have targets to read.
  steps: { idx: number; step_id: string; status: string; output: string | null; kind?: string }[],
  referenced: Set<string>,
): Promise<ExpressionContext> {
  const inputs = openRunInput(deps.keystore, run);
  const context: ExpressionContext = {
    inputs: (typeof inputs === "object" && inputs !== null ? inputs : {}) as Record<
      string,
      unknown
    >,
    steps: {},
    run: { id: run.id, startedBy: run.actor },
  };
  for (const step of steps) {
    const entry: StepContext = { status: step.status };
    if (step.output !== null) entry.output = JSON.parse(step.output) as unknown;
    if (referenced.has(step.step_id) && step.kind !== undefined && step.kind !== "action") {
      // A transform, http or approval step has no targets: no query for the empty list.
      entry.targets = [];
    } else if (referenced.has(step.step_id)) {
      const targets = await deps.db
        .selectFrom("run_targets")
        .select(["connection_name", "account_id", "region", "status", "output", "error"])
        .where("run_id", "=", run.id)
        .where("step_idx", "=", step.idx)
        .orderBy("idx")
        .execute();
      entry.targets = targets.map((t) => ({
        connection: t.connection_name,
        accountId: t.account_id,
        region: t.region,
        status: t.status,
        ...(t.output === null ? {} : { output: readStoredOutput(t.output) }),
        ...(t.error === null
          ? {}
          : { error: JSON.parse(t.error) as { code: string; message: string } }),
      }));
    }
    context.steps[step.step_id] = entry;
  }
  return context;
}
