import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import { ERROR_CATALOGUE, Invalid, SwitchboardError, Upstream, type ErrorCode } from "../errors.js";
import {
  accessRefusal,
  asRunRequestError,
  chooseTargets,
  classifyAwsError,
  isSingleSelection,
  type AccessCheck,
  type Target,
} from "../fan-out/index.js";
import { storeOutput, type StoredOutput } from "../runs/index.js";
import type { ActionDefinition } from "./action-definition.js";
import type { ActionDeps } from "./action-deps.js";
import { awsCallAction, checkOperation, type AwsCallInput } from "./aws-call.js";
import { findAction, iamActionsOf, serviceOf } from "./catalog-info.js";
import { checkAccess } from "./iam/index.js";
import { redact } from "./redact.js";
import { redactionPlansOf, type RedactionPlan } from "./redaction-plan.js";
import type { RunRequest, TargetResult } from "./schemas.js";

/** Whether each connection access setting allows every IAM action of the run (fan-out's AccessCheck). */
export function accessCheckOf(iamActions: readonly string[]): AccessCheck {
  return (setting) => checkAccess(setting, iamActions);
}

/** How a target's output is stored: redacted by the plan, serialized, cut at the cap. */
export function outputStoreOf(plan: RedactionPlan | undefined): (output: unknown) => StoredOutput {
  return (output) => storeOutput(redact(output, plan));
}

/** An action with its input checked: what running it on any target needs (fan-out's options). */
export interface PreparedAction {
  action: ActionDefinition;
  input: unknown;
  iamActions: string[];
  /** The SDK service called: the throttling bucket. */
  service: string;
  /** Runs once per account, not per region. */
  global: boolean;
  /** Where the secrets of the stored input and outputs are, from AWS's model of the operation. */
  redaction: { input?: RedactionPlan; output?: RedactionPlan };
  access: AccessCheck;
  storeOutput: (output: unknown) => StoredOutput;
}

/**
 * Checks that the action exists and its input is valid, and works out what running it needs:
 * its IAM actions, service, redaction plans. Throws the API error (fields named as the run
 * request has them: `input.<field>`); nothing is sent.
 */
export async function prepareAction(actionId: string, rawInput: unknown): Promise<PreparedAction> {
  const action = findAction(actionId);
  const parsed = action.input.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join(".") ?? "";
    throw new Invalid(`input${path === "" ? "" : `.${path}`}: ${issue?.message ?? "invalid"}`, {
      field: path === "" ? "input" : `input.${path}`,
    });
  }
  const input = parsed.data;
  try {
    // A mistyped operation is named with the closest ones, before the IAM data says it has none.
    if (action.id === awsCallAction.id) {
      const call = input as AwsCallInput;
      await checkOperation(call.service, call.operation);
    }
    const iamActions = iamActionsOf(action, input);
    const { service, global } = await serviceOf(action, input);
    const redaction = await redactionPlansOf(action, input);
    return {
      action,
      input,
      iamActions,
      service,
      global,
      redaction,
      access: accessCheckOf(iamActions),
      storeOutput: outputStoreOf(redaction.output),
    };
  } catch (error) {
    throw asRunRequestError(error);
  }
}

/** A run checked and resolved to its targets, before anything is written or sent. */
export interface PreparedRun extends PreparedAction {
  targets: Target[];
  single: boolean;
  request: RunRequest;
}

/**
 * Checks a run, in order: the action exists, the input is valid, the caller may execute the
 * connection(s), the region is the connection's, and — for a single target — the connection's
 * access setting allows every IAM action. Throws the API error for the first that fails; nothing
 * is sent. A refusal on access is audited.
 */
export async function prepareRun(
  deps: ActionDeps,
  context: RequestContext,
  principal: Principal,
  actionId: string,
  request: RunRequest,
): Promise<PreparedRun> {
  const prepared = await prepareAction(actionId, request.input);
  const { action, access, service, global } = prepared;
  const single = isSingleSelection(request);
  let targets: Target[];
  try {
    targets = await chooseTargets(deps, principal, request, { access, global, service });
    const only = targets[0]?.connection;
    if (single && only !== undefined) {
      const decision = await access(only.access);
      if (!decision.allowed) {
        await recordAuditEvent(deps.db, context, {
          action: "action.run",
          objectType: "connection",
          objectId: only.name,
          outcome: "denied",
          detail: { action: action.id, iamAction: decision.action, access: only.access },
        });
        throw accessRefusal(action.id, only, decision);
      }
    }
  } catch (error) {
    throw asRunRequestError(error);
  }
  return { ...prepared, targets, single, request };
}

/** A single run's failure as the API's error body: AWS's error in words, throttling retriable. */
export function singleRunError(result: TargetResult): SwitchboardError {
  const error = result.error ?? { code: "Error", message: "the action failed" };
  // Switchboard's own errors (a refused host, an input the action rejected) keep their code.
  if (error.code in ERROR_CATALOGUE)
    return new SwitchboardError(
      error.code as ErrorCode,
      error.message,
      error.field === undefined ? {} : { field: error.field },
    );
  if (classifyAwsError(error).kind === "throttling") {
    return new Upstream(
      `AWS throttled the call after the SDK's retries (${error.code}): ${error.message}`,
      { code: "AWS_THROTTLED" },
    );
  }
  return new Upstream(
    `AWS answered ${error.code}: ${error.message}${error.fix === undefined ? "" : ` — ${error.fix}`}`,
    { code: "AWS_ERROR" },
  );
}
