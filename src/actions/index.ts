export type { ActionDeps } from "./action-deps.js";
export type { ActionContext, ActionDefinition } from "./action-definition.js";
export { actionRoutes } from "./routes.js";
export type { RunTables } from "./run.table.js";
export * from "./schemas.js";
export { loadAccessPolicies, type AccessDecision } from "./iam/index.js";
export { SdkClientCache } from "./sdk-client-cache.js";
// The in-process per-bucket limiter lives with the fan-out; re-exported for the app's assembly.
export { KeyedSemaphore } from "../fan-out/index.js";
export {
  MAX_PER_BUCKET,
  accessCheckOf,
  outputStoreOf,
  prepareAction,
  type PreparedAction,
} from "./run-action.js";
export { startRunOwner, type RunOwner } from "./run-owners.js";
