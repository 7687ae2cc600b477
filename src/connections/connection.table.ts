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
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface ConnectionGrantTable {
  connection_id: string;
  /** `user:<name>`, `team:<name>` or `org` */
  principal: string;
  role: "viewer" | "editor" | "executor";
  created_at: string;
}

export interface AccessRequestTable {
  id: string;
  org_id: string;
  connection_id: string;
  requester: string;
  reason: string;
  status: "pending" | "granted" | "declined";
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
}

export interface OrgExternalIdTable {
  org_id: string;
  external_id: string;
  created_at: string;
}

export interface ConnectionTables {
  connections: ConnectionTable;
  connection_grants: ConnectionGrantTable;
  access_requests: AccessRequestTable;
  org_external_ids: OrgExternalIdTable;
}
