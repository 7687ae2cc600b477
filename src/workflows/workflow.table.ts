export interface WorkflowTable {
  id: string;
  org_id: string;
  /** Null: the org's; else only that project's members edit it and only its connections serve it. */
  project_id: string | null;
  name: string;
  current_version: number;
  /** The user its runs execute as instead of whoever starts them (set by an org admin only). */
  run_as_user_id: string | null;
  /** `user:<name>`, for display. */
  created_by: string;
  /** Who created it: for an org workflow, its owner (null once they no longer exist). */
  created_by_user_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface WorkflowVersionTable {
  workflow_id: string;
  version: number;
  /** The validated definition, JSON. */
  definition: string;
  /** The text as written. */
  source: string;
  format: "yaml" | "json";
  /** `user:<name>`, for display. */
  created_by: string;
  /** Who saved it: schedule and webhook runs of a workflow without runAs execute as them. */
  created_by_user_id: string | null;
  created_at: string;
}

export interface WorkflowFiringTable {
  workflow_id: string;
  /** The cron slot, ISO time: one row per slot is what makes it fire once. */
  slot: string;
  run_id: string | null;
  fired_at: string;
}

export interface WebhookDeliveryTable {
  workflow_id: string;
  signature: string;
  received_at: string;
}

export interface WorkflowTables {
  workflows: WorkflowTable;
  workflow_versions: WorkflowVersionTable;
  workflow_firings: WorkflowFiringTable;
  webhook_deliveries: WebhookDeliveryTable;
}
