import type { Principal } from "../access/index.js";
import type { DbOrTx } from "../db/index.js";
import {
  findOrganization,
  presentAccounts,
  presentOrganization,
  toOrganizationRecord,
} from "./organization-record.js";
import { ousBelow } from "./read-organization.js";
import type { Organization, OrganizationTree } from "./schemas.js";

export async function listOrganizations(db: DbOrTx, principal: Principal): Promise<Organization[]> {
  const rows = await db
    .selectFrom("organizations")
    .selectAll()
    .where("org_id", "=", principal.orgId)
    .orderBy("name")
    .execute();
  const items: Organization[] = [];
  for (const row of rows) items.push(await presentOrganization(db, toOrganizationRecord(row)));
  return items;
}

/** The organization with its OUs and every account it ever listed, each with its ledger. */
export async function showOrganization(
  db: DbOrTx,
  principal: Principal,
  name: string,
): Promise<OrganizationTree> {
  const organization = await findOrganization(db, principal, name);
  const rows = await db
    .selectFrom("organization_accounts")
    .selectAll()
    .where("organization_id", "=", organization.id)
    .orderBy("ou_path")
    .orderBy("account_id")
    .execute();
  const scope = ousBelow(organization.tree.ous, organization.onboarding?.ous ?? []);
  return {
    organization: await presentOrganization(db, organization),
    rootId: organization.tree.rootId,
    ous: organization.tree.ous,
    accounts: await presentAccounts(db, organization, rows, scope),
  };
}
