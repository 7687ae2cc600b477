export type { OrganizationTables } from "./organization.table.js";
export type { OrganizationDeps } from "./organization-deps.js";
export { handleOrganizationJob } from "./handle-organization-job.js";
export {
  accountHealth,
  blockedRegions,
  unreachableConnections,
  type AccountHealth,
  type BlockedIn,
  type Unreachable,
} from "./health-ledger.js";
export {
  forwardOrganizationSchedule,
  ORGANIZATION_QUEUE,
  ORGANIZATION_SCHEDULE_PREFIX,
  type OrganizationJob,
} from "./organization-jobs.js";
export { organizationRoutes } from "./routes.js";
export * from "./schemas.js";
