export { accountKeyOf } from "./account-key-of.js";
export { accessRefusal } from "./access-refusal.js";
export { asRunRequestError } from "./as-run-request-error.js";
export {
  chooseTargets,
  isSingleSelection,
  type ChooseOptions,
  type Selection,
} from "./choose-targets.js";
export type { Limiter } from "./limiter.js";
export { forManyCalls } from "./for-many-calls.js";
export { planTarget, type PlannedTarget } from "./plan-target.js";
export { runTarget, type RunTargetDeps, type TargetRunOptions } from "./run-target.js";
export { KeyedSemaphore, Semaphore } from "./semaphore.js";
export type { AccessCheck, Target, TargetOutcome } from "./target.js";
export {
  classifyAwsError,
  type AwsErrorClass,
  type AwsErrorKind,
  type StoredAwsError,
} from "./classify-aws-error.js";
export { retryDelayMs } from "./retry-delay.js";
export { isSkipReason, SKIP_REASONS, type SkipReason } from "./skip-reasons.js";
