import type { AccessDecision } from "../actions/index.js";
import { accessRefusal } from "./access-refusal.js";
import type { AccessCheck, Target } from "./target.js";

/** What a run would do on one target, worked out without sending anything. */
export interface PlannedTarget {
  connection: string;
  accountId: string | null;
  region: string;
  outcome: "runs" | "refused" | "skipped";
  /** Why it is refused or skipped: an error code or a skip reason. */
  code?: string;
  reason?: string;
  /** When the connection's access setting refuses the action: what it refuses. */
  accessRefused?: { iamAction: string; accessLevel: string; access: string };
}

/**
 * The outcome a target of chooseTargets would have: its preset (a skip, a named connection the
 * principal may not execute), or the connection's access setting's decision — the check runTarget
 * makes before any request. Shared by a single action's plan and a workflow's preflight.
 */
export async function planTarget(
  actionId: string,
  target: Target,
  access: AccessCheck,
): Promise<PlannedTarget> {
  const connection = target.connection;
  if (target.preset !== undefined || connection === undefined) {
    return {
      connection: target.name,
      accountId: connection?.accountId ?? null,
      region: target.region,
      outcome: target.preset?.status === "skipped" ? "skipped" : "refused",
      ...(target.preset?.error === undefined
        ? {}
        : { code: target.preset.error.code, reason: target.preset.error.message }),
    };
  }
  const base = {
    connection: connection.name,
    accountId: connection.accountId,
    region: target.region,
  };
  let decision: AccessDecision;
  try {
    decision = await access(connection.access);
  } catch (error) {
    // The run fails closed on this target too: nothing is sent.
    return {
      ...base,
      outcome: "refused",
      code: "ACCESS_REFUSED",
      reason: error instanceof Error ? error.message : String(error),
    };
  }
  if (decision.allowed) return { ...base, outcome: "runs" };
  return {
    ...base,
    outcome: "refused",
    code: "ACCESS_REFUSED",
    reason: accessRefusal(actionId, connection, decision).message,
    accessRefused: {
      iamAction: decision.action,
      accessLevel: decision.accessLevel,
      access: connection.access,
    },
  };
}
