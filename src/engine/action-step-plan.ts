import { isWriteLevel, strongestAccessLevel, type RunRequest } from "../actions/index.js";
import type { RecordedPlan } from "../runs/index.js";
import type { WorkflowStep } from "../workflows/index.js";
import type { ActionPlan, StepPlan } from "./step-plan.js";

/**
 * A single action as the one step of its run: its input is the run's own; its plan (what
 * POST /actions/ID/plan answered for the request, without the targets) is kept with it.
 */
export function actionStepPlan(
  actionId: string,
  request: RunRequest,
  runPlan?: RecordedPlan,
): StepPlan {
  const def = {
    id: "action",
    action: actionId,
    onError: "fail",
    ...(request.connection === undefined ? {} : { connection: request.connection }),
    ...(request.connections === undefined ? {} : { connections: request.connections }),
    ...(request.region === undefined ? {} : { region: request.region }),
    ...(request.regions === undefined ? {} : { regions: request.regions }),
    ...(request.everyConnection === undefined ? {} : { everyConnection: request.everyConnection }),
    ...(request.maxItems === undefined ? {} : { maxItems: request.maxItems }),
    ...(request.pageSize === undefined ? {} : { pageSize: request.pageSize }),
  } as unknown as WorkflowStep;
  return { def, inputFromRun: true, ...(runPlan === undefined ? {} : { runPlan }) };
}

/** Whether any of the IAM actions can change something (an access level above Read). */
export async function isWrite(iamActions: Iterable<string>): Promise<boolean> {
  return isWriteLevel(await strongestAccessLevel([...iamActions]));
}

export async function actionPlanOf(
  prepared: { action: { id: string }; iamActions: string[]; service: string },
  options: {
    perTargetInput: boolean;
    maxItems?: number | undefined;
    pageSize?: number | undefined;
  },
): Promise<ActionPlan> {
  return {
    actionId: prepared.action.id,
    iamActions: prepared.iamActions,
    service: prepared.service,
    write: await isWrite(prepared.iamActions),
    perTargetInput: options.perTargetInput,
    ...(options.maxItems === undefined ? {} : { maxItems: options.maxItems }),
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
  };
}
