export { iamActionFor } from "./iam-action-for.js";
export { iamServicePrefix } from "./iam-service-prefix.js";
export { accessLevelOf, type AccessLevel } from "./access-level-of.js";
export { checkAccess, type AccessDecision } from "./check-access.js";
export {
  loadAccessPolicies,
  ACCESS_POLICY_NAMES,
  type ConnectionAccessSetting,
} from "./access-policies.js";
export { minimalPolicy, type PolicyDocument, type PolicyStatement } from "./minimal-policy.js";
