import type { Kysely, Transaction } from "kysely";
import type { AccessTables } from "../access/tables.js";
import type { RunTables } from "../runs/run.table.js";
import type { WorkflowTables } from "../workflows/workflow.table.js";
import type { AuditTables } from "../audit/audit-event.table.js";
import type { ConnectionTables } from "../connections/connection.table.js";
import type { SecretTables } from "../keystore/secret.table.js";
import type { OidcTables } from "../oidc/oidc-key.table.js";
import type { OutboundTables } from "../outbound/outbound-allow-list.table.js";
import type { ProjectTables } from "../projects/project.table.js";
import type { InventoryTables } from "../inventory/inventory.table.js";
import type { OrganizationTables } from "../organizations/organization.table.js";

/** The whole schema, assembled from each feature's tables. */
export interface Database
  extends
    AccessTables,
    AuditTables,
    ProjectTables,
    SecretTables,
    OidcTables,
    OutboundTables,
    ConnectionTables,
    RunTables,
    WorkflowTables,
    InventoryTables,
    OrganizationTables {}

export type Db = Kysely<Database>;
/** A query function takes either the database or a transaction. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;
