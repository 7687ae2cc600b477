import type { ConnectionMethod, ConnectionAccess } from "./schemas.js";

export interface ConnectionTable {
  id: string;
  org_id: string;
  name: string;
  method: ConnectionMethod;
  /** The method's own fields, JSON (never a secret value: access keys are key-store paths). */
  settings: string;
  access: ConnectionAccess;
  /** JSON array of region names. */
  regions: string;
  endpoint: string | null;
  /** JSON object of tag key → value. */
  tags: string;
  project_id: string | null;
  account_id: string | null;
  /** JSON of the last test: {ok, checkedAt, arn?, regions?, error?}. */
  health: string | null;
  /** assume_role: the ExternalId it sends (external_ids.id); null for the other methods. */
  external_id_id: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface ConnectionGrantTable {
  connection_id: string;
  /** `user-id:<user id>`, `team-id:<team id>` (see access/stored-principals.ts) or `org` */
  principal: string;
  role: "viewer" | "editor" | "executor";
  created_at: string;
}

export interface AccessRequestTable {
  id: string;
  org_id: string;
  connection_id: string;
  /** `user-id:<user id>` (see access/stored-principals.ts); the API shows `user:<name>` */
  requester: string;
  reason: string;
  status: "pending" | "granted" | "declined";
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
}

/**
 * An ExternalId Switchboard generated. It belongs to one connection (owner_kind "connection"), or
 * to a group of connections that share it (owner_kind "group": the member roles of an
 * Organizations onboarding, whose one StackSet template is the same in every account).
 */
export interface ExternalIdTable {
  id: string;
  org_id: string;
  value: string;
  owner_kind: "connection" | "group";
  /** `user-id:<id>` of the user a draft's ExternalId was made for: only they may save a connection with it. */
  issued_to: string | null;
  created_at: string;
  /** When a saved connection took it; null while it is only a draft's. */
  claimed_at: string | null;
  rotated_at: string | null;
}

/**
 * A web identity subject (`switchboard:connection/<name>`) a connection of the org has used. A
 * role's trust policy may still name it after that connection is deleted or renamed, so the row
 * is never deleted: the subject stays the connection's until an org admin confirms its reuse.
 */
export interface WebIdentitySubjectTable {
  org_id: string;
  subject: string;
  /** The connection that may use it; a deleted connection's id, or null (one from before these records). */
  connection_id: string | null;
  claimed_at: string;
  /** `user:<name>` or `token:<id>` who gave it to that connection. */
  claimed_by: string;
}

export interface ConnectionTables {
  connections: ConnectionTable;
  connection_grants: ConnectionGrantTable;
  access_requests: AccessRequestTable;
  external_ids: ExternalIdTable;
  web_identity_subjects: WebIdentitySubjectTable;
}
