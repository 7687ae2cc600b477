/**
 * An AWS Organization Switchboard knows, through a connection into its management account or a
 * delegated administrator of CloudFormation StackSets.
 */
export interface OrganizationTable {
  id: string;
  org_id: string;
  name: string;
  /** The connection into the management account or the delegated administrator. */
  connection_id: string;
  /** "SELF" (management account) or "DELEGATED_ADMIN": the CallAs of every StackSets call. */
  call_as: "SELF" | "DELEGATED_ADMIN";
  aws_organization_id: string;
  management_account_id: string;
  /** JSON: the root and every OU ({id, name, parentId, path}), as last read. */
  tree: string;
  /** JSON array of {principal, role}: copied onto every member connection. */
  grants: string;
  /** JSON of the onboarding (OUs, skipped accounts, role name, access, regions, method), or null. */
  onboarding: string | null;
  /** assume_role onboarding: the ExternalId every member role trusts (external_ids.id). */
  external_id_id: string | null;
  /** JSON of the StackSet deployment (name, operation, status, error), or null. */
  deployment: string | null;
  /** JSON of the last reconcile ({status, startedAt, finishedAt, error, changes}), or null. */
  last_sync: string | null;
  /** The user whose rights create member connections (the one who onboarded). */
  onboarded_by: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
}

/** One account of an organization, with its health ledger. Never deleted while its organization lives. */
export interface OrganizationAccountTable {
  organization_id: string;
  account_id: string;
  name: string;
  email: string;
  /** AWS's State: ACTIVE, SUSPENDED, PENDING_CLOSURE or CLOSED. */
  state: string;
  /** "member" while the organization lists it; "left" once it does not. */
  membership: "member" | "left";
  /** The OU it sits in (or the root), and its path of names ("Root/Prod/Payments"). */
  parent_id: string;
  ou_path: string;
  /** The member connection Switchboard made for it, or null (skipped, not onboarded, management). */
  connection_id: string | null;
  /** 1/0 once a test said whether its role can be assumed; null before. */
  assumable: number | null;
  /** JSON array of {region, reason: "opt_in" | "scp"}: regions its connection cannot use. */
  blocked_regions: string;
  /** JSON {code, message, fix} of the last failure, or null. */
  last_error: string | null;
  last_error_at: string | null;
  checked_at: string | null;
  /** The StackSet's stack instance here: status and status reason, as last read. */
  stack_status: string | null;
  stack_reason: string | null;
  first_seen_at: string;
  left_at: string | null;
  updated_at: string;
}

/**
 * A deleted web_identity organization: its StackSet may still give accounts that join a member
 * role trusting `<name>-<account id>`, so no connection may take such a name (see
 * connections' web-identity-subjects.ts).
 */
export interface OrganizationTombstoneTable {
  org_id: string;
  name: string;
  stack_set_name: string | null;
  deleted_at: string;
  deleted_by: string;
}

export interface OrganizationTables {
  organizations: OrganizationTable;
  organization_accounts: OrganizationAccountTable;
  organization_tombstones: OrganizationTombstoneTable;
}
