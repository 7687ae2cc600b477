import { z } from "zod";
import { Invalid, SwitchboardError } from "../errors.js";
import type { ActionDefinition } from "./action-definition.js";
import { awsCallAction, awsCallInputSchema, sdkServiceName } from "./aws-call.js";
import { closestNames, didYouMean } from "./closest-names.js";
import { CATALOG } from "./catalog/index.js";
import { isGlobalService } from "./global-services.js";
import { accessLevelOf, iamActionFor, type AccessLevel } from "./iam/index.js";
import type { ActionInfo } from "./schemas.js";

// From least to most powerful, to name an action by the strongest thing it can do.
const LEVEL_ORDER: AccessLevel[] = ["List", "Read", "Tagging", "Write", "Permissions management"];

export function findAction(id: string): ActionDefinition {
  const action = id === awsCallAction.id ? (awsCallAction as ActionDefinition) : CATALOG.get(id);
  if (action === undefined) {
    const suggestions = closestNames(id, [...CATALOG.keys(), awsCallAction.id]);
    throw new SwitchboardError(
      "ACTION_NOT_FOUND",
      `no action ${id}:${didYouMean(suggestions) || " GET /api/v1/actions lists them"}`,
      { field: "action", details: [{ field: "action", suggestions }] },
    );
  }
  return action;
}

/** The IAM actions a call needs: the catalog's, or the one operation of an `aws.call`. */
export function iamActionsOf(action: ActionDefinition, input: unknown): string[] {
  try {
    if (action.id === awsCallAction.id) {
      const call = awsCallInputSchema.parse(input);
      return [iamActionFor(sdkServiceName(call.service), call.operation)];
    }
    return action.operations.map((op) => iamActionFor(action.sdkService, op));
  } catch (error) {
    if (error instanceof SwitchboardError || error instanceof z.ZodError) throw error;
    // The run names it input.operation (see asRunRequestError).
    throw new Invalid(error instanceof Error ? error.message : String(error), {
      field: "operation",
    });
  }
}

/**
 * The SDK service a call goes to (the throttling bucket) and whether it runs once per account
 * instead of once per region (see isGlobalService). For `aws.call`, the service of the input.
 */
export async function serviceOf(
  action: ActionDefinition,
  input: unknown,
): Promise<{ service: string; global: boolean }> {
  const service =
    action.id === awsCallAction.id
      ? sdkServiceName(awsCallInputSchema.parse(input).service)
      : action.sdkService;
  return { service, global: await isGlobalService(service) };
}

/** The most powerful IAM access level among the actions; undefined when there are none. */
export async function strongestAccessLevel(
  iamActions: readonly string[],
): Promise<AccessLevel | undefined> {
  const levels = await Promise.all(iamActions.map((a) => accessLevelOf(a)));
  return levels.reduce<AccessLevel | undefined>(
    (max, level) =>
      max === undefined || LEVEL_ORDER.indexOf(level) > LEVEL_ORDER.indexOf(max) ? level : max,
    undefined,
  );
}

/** Whether an access level can change something: above Read (Tagging, Write, Permissions management). */
export function isWriteLevel(level: AccessLevel | undefined): boolean {
  return level !== undefined && level !== "List" && level !== "Read";
}

export async function describeAction(action: ActionDefinition): Promise<ActionInfo> {
  const permissions = await Promise.all(
    action.operations.map(async (op) => {
      const iam = iamActionFor(action.sdkService, op);
      return { action: iam, accessLevel: await accessLevelOf(iam) };
    }),
  );
  const strongest = permissions.reduce<AccessLevel | undefined>(
    (max, p) =>
      max === undefined || LEVEL_ORDER.indexOf(p.accessLevel) > LEVEL_ORDER.indexOf(max)
        ? p.accessLevel
        : max,
    undefined,
  );
  return {
    id: action.id,
    title: action.title,
    description: action.description,
    service: action.sdkService,
    // aws.call: it depends on the service called.
    global: action.id === awsCallAction.id ? false : await isGlobalService(action.sdkService),
    permissions,
    accessLevel: strongest ?? "depends on the operation",
    inputSchema: z.toJSONSchema(action.input, { unrepresentable: "any" }),
    output: action.output,
  };
}

export function allActions(): ActionDefinition[] {
  return [...CATALOG.values(), awsCallAction];
}
