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
  // An account the StackSet has no instance in (any more) has none to show.
  await db
    .updateTable("organization_accounts")
    .set({ stack_status: null, stack_reason: null })
    .where("organization_id", "=", organizationId)
    .where("stack_status", "is not", null)
    .$if(byAccount.size > 0, (q) => q.where("account_id", "not in", [...byAccount.keys()]))
    .execute();
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
