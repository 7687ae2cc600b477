import type { ConnectionTable } from "./connection.table.js";
import type { ConnectionAccess, ConnectionTest } from "./schemas.js";

/** A method's settings as stored: a source connection by id, so renames do not break chains. */
export type StoredSettings =
  | { method: "ambient" }
  | { method: "access_key"; accessKeyId: string; secretPath: string }
  | {
      method: "assume_role";
      roleArn: string;
      sourceConnectionId?: string | undefined;
      sessionDurationSeconds?: number | undefined;
      policyArns?: string[] | undefined;
    }
  | {
      method: "web_identity";
      roleArn: string;
      sessionDurationSeconds?: number | undefined;
      policyArns?: string[] | undefined;
    };

/** A connection row with its JSON columns parsed. */
export interface ConnectionRecord {
  id: string;
  orgId: string;
  name: string;
  settings: StoredSettings;
  access: ConnectionAccess;
  regions: string[];
  endpoint: string | null;
  tags: Record<string, string>;
  projectId: string | null;
  accountId: string | null;
  health: ConnectionTest | null;
  /** assume_role: the id of its ExternalId (external_ids.id); null for the other methods. */
  externalIdId: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export function toRecord(row: ConnectionTable): ConnectionRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    settings: JSON.parse(row.settings) as StoredSettings,
    access: row.access,
    regions: JSON.parse(row.regions) as string[],
    endpoint: row.endpoint,
    tags: JSON.parse(row.tags) as Record<string, string>,
    projectId: row.project_id,
    accountId: row.account_id,
    health: row.health === null ? null : (JSON.parse(row.health) as ConnectionTest),
    externalIdId: row.external_id_id,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
  };
}
