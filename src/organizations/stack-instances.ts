import {
  paginateListStackInstances,
  type CloudFormationClient,
} from "@aws-sdk/client-cloudformation";
import type { DbOrTx } from "../db/index.js";

/** Reads the StackSet's stack instances and stores each account's status on its ledger row. */
export async function refreshStackInstances(
  db: DbOrTx,
  client: CloudFormationClient,
  organizationId: string,
  stackSetName: string,
  callAs: "SELF" | "DELEGATED_ADMIN",
  now: Date,
): Promise<Map<string, { status: string; reason: string | null }>> {
  const byAccount = new Map<string, { status: string; reason: string | null }>();
  for await (const page of paginateListStackInstances(
    { client },
    { StackSetName: stackSetName, CallAs: callAs },
  )) {
    for (const instance of page.Summaries ?? []) {
      if (instance.Account === undefined) continue;
      byAccount.set(instance.Account, {
        status: instance.StackInstanceStatus?.DetailedStatus ?? instance.Status ?? "UNKNOWN",
        reason: instance.StatusReason ?? null,
      });
    }
  }
  for (const [account, { status, reason }] of byAccount) {
    await db
      .updateTable("organization_accounts")
      .set({ stack_status: status, stack_reason: reason, updated_at: now.toISOString() })
      .where("organization_id", "=", organizationId)
      .where("account_id", "=", account)
      .execute();
  }
  return byAccount;
}
