export type { Database, Db, DbOrTx } from "./database.js";
export { createDb, databaseConfigOf, type DbHandle, type Dialect } from "./create-db.js";
export { migrateToLatest, type MigrateResult } from "./migrate.js";
export { isUniqueViolation } from "./is-unique-violation.js";
export { securePrivateDataDirectory, type PermissionWarning } from "./private-files.js";
export { jsonRows, type JsonColumnType } from "./json-rows.js";
