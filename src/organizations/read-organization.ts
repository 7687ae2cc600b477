import {
  DescribeOrganizationCommand,
  ListRootsCommand,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  type OrganizationsClient,
} from "@aws-sdk/client-organizations";
import type { OuNode } from "./schemas.js";

export interface AwsAccount {
  id: string;
  name: string;
  email: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE or CLOSED. */
  state: string;
  parentId: string;
  path: string;
}

/** What the organization looks like now: its root, every OU (recursively) and every account. */
export interface OrganizationSnapshot {
  organizationId: string;
  managementAccountId: string;
  rootId: string;
  /** Whether service control policies are enabled on the root: until they are, none can deny. */
  scpEnabled: boolean;
  ous: OuNode[];
  accounts: AwsAccount[];
}

/** DescribeOrganization, ListRoots, then each parent's OUs and accounts, from the root down. */
export async function readOrganization(client: OrganizationsClient): Promise<OrganizationSnapshot> {
  const { Organization } = await client.send(new DescribeOrganizationCommand({}));
  const { Roots } = await client.send(new ListRootsCommand({}));
  const root = Roots?.[0];
  if (Organization?.Id === undefined || root?.Id === undefined) {
    throw new Error("AWS Organizations answered without an organization or a root");
  }
  const ous: OuNode[] = [{ id: root.Id, name: root.Name ?? "Root", parentId: null, path: "Root" }];
  const accounts: AwsAccount[] = [];
  for (let i = 0; i < ous.length; i += 1) {
    const parent = ous[i] as OuNode;
    for await (const page of paginateListOrganizationalUnitsForParent(
      { client },
      { ParentId: parent.id },
    )) {
      for (const ou of page.OrganizationalUnits ?? []) {
        if (ou.Id === undefined) continue;
        const name = ou.Name ?? ou.Id;
        ous.push({ id: ou.Id, name, parentId: parent.id, path: `${parent.path}/${name}` });
      }
    }
    for await (const page of paginateListAccountsForParent({ client }, { ParentId: parent.id })) {
      for (const account of page.Accounts ?? []) {
        if (account.Id === undefined) continue;
        accounts.push({
          id: account.Id,
          name: account.Name ?? account.Id,
          email: account.Email ?? "",
          // State replaced Status (2025); an older answer has only Status (ACTIVE or SUSPENDED).
          state: account.State ?? account.Status ?? "ACTIVE",
          parentId: parent.id,
          path: parent.path,
        });
      }
    }
  }
  return {
    organizationId: Organization.Id,
    managementAccountId: Organization.MasterAccountId ?? "",
    rootId: root.Id,
    scpEnabled: (root.PolicyTypes ?? []).some(
      (p) => p.Type === "SERVICE_CONTROL_POLICY" && p.Status !== "PENDING_DISABLE",
    ),
    ous,
    accounts,
  };
}

/** The OUs given and every OU below them. */
export function ousBelow(ous: OuNode[], chosen: string[]): Set<string> {
  const inside = new Set(chosen);
  // Parents come before their children in a snapshot (breadth first from the root).
  for (const ou of ous) if (ou.parentId !== null && inside.has(ou.parentId)) inside.add(ou.id);
  return inside;
}
