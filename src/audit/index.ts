export type { AuditEventTable, AuditOutcome } from "./audit-event.table.js";
export { recordAuditEvent, type AuditEventInput } from "./record-audit-event.js";
export type { RequestContext } from "./request-context.js";
export { auditRoutes } from "./routes.js";
export * from "./schemas.js";
