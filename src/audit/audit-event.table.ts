export type AuditOutcome = "success" | "failure" | "denied";

export interface AuditEventTable {
  id: string;
  org_id: string;
  /** `user:<name>`, `token:<id>` or `system`. */
  actor: string;
  action: string;
  object_type: string | null;
  object_id: string | null;
  outcome: AuditOutcome;
  source_ip: string | null;
  request_id: string | null;
  /** JSON text with details that never include secret values. */
  detail: string | null;
  created_at: string;
}

export interface AuditTables {
  audit_events: AuditEventTable;
}
