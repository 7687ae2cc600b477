import type { Kysely, Transaction } from "kysely";
import type { AccessTables } from "../access/tables.js";
import type { AuditTables } from "../audit/audit-event.table.js";

/** The whole schema, assembled from each feature's tables. */
export interface Database extends AccessTables, AuditTables {}

export type Db = Kysely<Database>;
/** A query function takes either the database or a transaction. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;
