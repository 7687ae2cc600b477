export type { ActionDeps } from "./action-deps.js";
export type { ActionContext, ActionDefinition } from "./action-definition.js";
export { actionRoutes } from "./routes.js";
export * from "./schemas.js";
export {
  findAction,
  iamActionsOf,
  isWriteLevel,
  serviceOf,
  strongestAccessLevel,
} from "./catalog-info.js";
export { describePlan, planRun, planTargets, recordedPlanOf } from "./plan-run.js";
export {
  accessLevelOf,
  checkAccess,
  loadAccessPolicies,
  minimalPolicy,
  type AccessDecision,
  type AccessLevel,
} from "./iam/index.js";
export { redact } from "./redact.js";
export { SdkClientCache } from "./sdk-client-cache.js";
export {
  accessCheckOf,
  outputStoreOf,
  prepareAction,
  prepareRun,
  singleRunError,
  type PreparedAction,
  type PreparedRun,
} from "./run-action.js";
