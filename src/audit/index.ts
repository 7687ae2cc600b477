export type { AuditEventTable, AuditOutcome } from "./audit-event.table.js";
export { auditEventRow, recordAuditEvent, type AuditEventInput } from "./record-audit-event.js";
// Re-exported so other features keep one import for the audit surface; defined beside errors.ts.
export type { RequestContext } from "../request-types.js";
export { auditRoutes } from "./routes.js";
export * from "./schemas.js";
