export type { ActionDeps } from "./action-deps.js";
export { actionRoutes } from "./routes.js";
export type { RunTables } from "./run.table.js";
export * from "./schemas.js";
export { loadAccessPolicies } from "./iam/index.js";
export { SdkClientCache } from "./sdk-client-cache.js";
export { KeyedSemaphore } from "./semaphore.js";
export { MAX_PER_BUCKET } from "./run-action.js";
export { startRunOwner, type RunOwner } from "./run-owners.js";
