import { createHmac, timingSafeEqual } from "node:crypto";
import type { RequestContext } from "../audit/index.js";
import { isUniqueViolation } from "../db/index.js";
import { SwitchboardError } from "../errors.js";
import { checkWithSecret } from "../keystore/index.js";
import {
  findVersion,
  webhookSecretPath,
  type WorkflowDefinition,
  type WorkflowTrigger,
} from "../workflows/index.js";
import type { EngineDeps } from "./engine-deps.js";
import type { Queue, ScheduledJobData } from "./queue.js";
import { startWorkflowRun } from "./start-workflow-run.js";

const MAX_TRIGGERS = 20;

function scheduleKey(workflowId: string, index: number): string {
  return `wf:${workflowId}:${index}`;
}

/** Keeps the queue's schedules equal to a workflow's schedule triggers. */
export function scheduleSync(queue: Queue) {
  return {
    async sync(workflowId: string, triggers: WorkflowTrigger[]): Promise<void> {
      const schedules = triggers.filter(
        (t): t is Extract<WorkflowTrigger, { schedule: string }> => "schedule" in t,
      );
      for (const [i, trigger] of schedules.entries()) {
        await queue.schedule(
          scheduleKey(workflowId, i),
          trigger.schedule,
          { workflowId, trigger: i },
          {
            tz: trigger.timezone ?? "UTC",
          },
        );
      }
      for (let i = schedules.length; i < MAX_TRIGGERS; i += 1)
        await queue.unschedule(scheduleKey(workflowId, i));
    },
  };
}

/**
 * A cron slot fired: one run per (workflow, slot), whatever the number of workers, because the
 * firing's row is inserted first and a second insert of the same slot fails.
 */
export async function fireSchedule(deps: EngineDeps, data: ScheduledJobData): Promise<void> {
  const workflowId = data.workflowId;
  if (typeof workflowId !== "string") return;
  const workflow = await deps.db
    .selectFrom("workflows")
    .selectAll()
    .where("id", "=", workflowId)
    .executeTakeFirst();
  if (workflow === undefined) return;
  try {
    await deps.db
      .insertInto("workflow_firings")
      .values({
        workflow_id: workflowId,
        slot: data.slot,
        run_id: null,
        fired_at: deps.clock.now().toISOString(),
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) return;
    throw error;
  }
  const version = await findVersion(deps.db, workflow.id, workflow.current_version);
  const definition = JSON.parse(version.definition) as WorkflowDefinition;
  const trigger = (definition.triggers ?? []).filter((t) => "schedule" in t)[
    Number(data.trigger)
  ] as { inputs?: Record<string, unknown> } | undefined;
  const context: RequestContext = {
    orgId: workflow.org_id,
    actor: "schedule",
    sourceIp: null,
    requestId: null,
  };
  try {
    const run = await startWorkflowRun(deps, context, {
      workflow,
      trigger: "schedule",
      inputs: trigger?.inputs ?? {},
    });
    await deps.db
      .updateTable("workflow_firings")
      .set({ run_id: run.id })
      .where("workflow_id", "=", workflowId)
      .where("slot", "=", data.slot)
      .execute();
  } catch (error) {
    // The slot stays fired (never replayed); why it started nothing is in the log.
    deps.logger.warn(
      { err: error, workflow: workflow.name, slot: data.slot },
      "a scheduled run could not start",
    );
  }
}

/** How far a webhook's timestamp may be from the server's clock. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

function refused(message: string): SwitchboardError {
  return new SwitchboardError("WEBHOOK_SIGNATURE_INVALID", message);
}

/**
 * A webhook delivery: HMAC-SHA256 of `TIMESTAMP.BODY` with the workflow's secret, the timestamp
 * within five minutes, and each signature accepted once. Anything else is refused and starts
 * nothing.
 */
export async function receiveWebhook(
  deps: EngineDeps,
  request: {
    org: string;
    workflow: string;
    timestamp: string | undefined;
    signature: string | undefined;
    body: Buffer;
    sourceIp: string | null;
    requestId: string;
  },
): Promise<{ id: string }> {
  // Everything that needs no secret is checked first, and an unknown workflow is refused as a
  // wrong signature is: an unauthenticated caller learns nothing and costs no decryption.
  if (request.timestamp === undefined || request.signature === undefined) {
    throw refused(
      "unsigned: send X-Switchboard-Timestamp and X-Switchboard-Signature (sha256=HMAC of TIMESTAMP.BODY)",
    );
  }
  if (!/^\d{1,12}$/.test(request.timestamp))
    throw refused("X-Switchboard-Timestamp: expected unix seconds");
  const age = Math.abs(deps.clock.now().getTime() / 1000 - Number(request.timestamp));
  if (age > WEBHOOK_TOLERANCE_SECONDS) {
    throw refused(
      `X-Switchboard-Timestamp is ${Math.round(age)} s from the server's clock (at most ${WEBHOOK_TOLERANCE_SECONDS})`,
    );
  }
  const given = /^sha256=([0-9a-f]{64})$/.exec(request.signature)?.[1];
  if (given === undefined) {
    throw refused("X-Switchboard-Signature: expected sha256= and 64 hex digits");
  }
  const mismatch = refused(
    "the signature does not match: sign TIMESTAMP.BODY with the workflow's webhook secret (HMAC-SHA256, hex)",
  );
  const org = await deps.db
    .selectFrom("orgs")
    .select("id")
    .where("name", "=", request.org)
    .executeTakeFirst();
  const workflow =
    org === undefined
      ? undefined
      : await deps.db
          .selectFrom("workflows")
          .selectAll()
          .where("org_id", "=", org.id)
          .where("name", "=", request.workflow)
          .executeTakeFirst();
  if (org === undefined || workflow === undefined) throw mismatch;
  const version = await findVersion(deps.db, workflow.id, workflow.current_version);
  const definition = JSON.parse(version.definition) as WorkflowDefinition;
  if (!(definition.triggers ?? []).some((t) => "webhook" in t)) throw mismatch;
  const context: RequestContext = {
    orgId: org.id,
    actor: "webhook",
    sourceIp: request.sourceIp,
    requestId: request.requestId,
  };
  const signed = await checkWithSecret(
    deps.keystore,
    org.id,
    webhookSecretPath(workflow.id),
    (secret) =>
      timingSafeEqual(
        Buffer.from(given, "hex"),
        createHmac("sha256", secret).update(`${request.timestamp}.`).update(request.body).digest(),
      ),
    { auditContext: context, purpose: `workflow ${workflow.name}: webhook signature` },
  );
  if (!signed) throw mismatch;
  let inputs: Record<string, unknown> = {};
  if (request.body.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body.toString("utf8"));
    } catch {
      throw new SwitchboardError("INVALID_JSON", "the webhook body is not JSON");
    }
    if (typeof parsed === "object" && parsed !== null && "inputs" in parsed) {
      const supplied = parsed.inputs;
      if (typeof supplied !== "object" || supplied === null || Array.isArray(supplied)) {
        throw new SwitchboardError("INVALID_REQUEST", "inputs: expected an object", {
          field: "inputs",
        });
      }
      inputs = supplied as Record<string, unknown>;
    }
  }
  const now = deps.clock.now();
  await deps.db
    .deleteFrom("webhook_deliveries")
    .where(
      "received_at",
      "<",
      new Date(now.getTime() - 2 * WEBHOOK_TOLERANCE_SECONDS * 1000).toISOString(),
    )
    .execute();
  try {
    await deps.db
      .insertInto("webhook_deliveries")
      .values({ workflow_id: workflow.id, signature: given, received_at: now.toISOString() })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new SwitchboardError(
        "WEBHOOK_REPLAYED",
        "this delivery was already received: a replayed request starts nothing",
      );
    }
    throw error;
  }
  return startWorkflowRun(deps, context, { workflow, trigger: "webhook", inputs });
}
