import type { Authorizer } from "../iam/authorizer.js";
import type { Principal } from "../iam/principal.js";
import type { SessionStore } from "../iam/session-store.js";
import type { Operation, ServiceModel } from "../model/service-model.js";
import type { Account, World } from "../world/world.js";
import type { Knobs } from "../knobs/knobs.js";

export type AuthorizeOptions = {
  resourceAccountId?: string;
  resourcePolicy?: unknown;
  context?: Record<string, string | string[]>;
};

/** What an operation handler may use: the caller, where it called, and the emulator's parts. */
export type CallContext = {
  world: World;
  account: Account;
  region: string;
  principal: Principal;
  model: ServiceModel;
  operation: Operation;
  authorizer: Authorizer;
  sessions: SessionStore;
  knobs: Knobs;
  now: () => Date;
  /** Refuses the call with the service's own AccessDenied error unless IAM allows it. */
  authorize(action: string, resource: string, options?: AuthorizeOptions): Promise<void>;
  /** Per-emulator state a service keeps between calls (running Logs queries…). */
  state: Map<string, unknown>;
};

export type OperationHandler = (
  ctx: CallContext,
  input: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

export type ServiceHandlers = Record<string, OperationHandler>;

// IAM names a few services differently from their signing name.
const IAM_PREFIX: Record<string, string> = { monitoring: "cloudwatch" };

/** The IAM action for an operation; a few differ from the operation name. */
export function iamAction(service: string, operation: string): string {
  const renamed: Record<string, string> = { "s3:ListBuckets": "s3:ListAllMyBuckets" };
  const action = `${IAM_PREFIX[service] ?? service}:${operation}`;
  return renamed[action] ?? action;
}
