import type { Principal } from "../access/index.js";
import { accessCheckOf } from "../actions/index.js";
import type { RequestContext } from "../audit/index.js";
import { startRun, type EngineDeps } from "../engine/index.js";
import { Invalid } from "../errors.js";
import { asRunRequestError, chooseTargets } from "../fan-out/index.js";
import { RESOURCE_TYPES, resourceTypeOf } from "./resource-types.js";
import type { SyncRequest } from "./schemas.js";
import { INVENTORY_LIST } from "./sync-handler.js";

/** The run's action id: the history shows a sync as such. */
export const SYNC_ACTION_ID = "inventory.sync";

/**
 * Starts a sync: one run on the engine whose one step has a target per (connection, region,
 * resource type), chosen as an action's are (the connections the principal may execute, their
 * regions; a global type once per account). The selection is checked before the run exists, so
 * a selection that chooses nothing is an error, not a run.
 */
export async function startSync(
  deps: EngineDeps,
  context: RequestContext,
  principal: Principal,
  request: SyncRequest,
  trigger: "api" | "schedule" = "api",
): Promise<{ id: string }> {
  const types = request.types ?? RESOURCE_TYPES.map((t) => t.type);
  for (const [i, type] of types.entries())
    if (resourceTypeOf(type) === undefined)
      throw new Invalid(`types[${i}]: no resource type ${type} (GET /api/v1/inventory/types)`, {
        field: `types.${i}`,
      });
  const selection = {
    connections: request.connections,
    ...(request.regions === undefined ? {} : { regions: request.regions }),
  };
  await chooseTargets(deps, principal, selection, {
    access: accessCheckOf([]),
    global: false,
    service: "ec2",
  }).catch((error: unknown) => {
    throw asRunRequestError(error);
  });
  const input = { ...selection, types };
  const started = await startRun(deps, context, {
    kind: "action",
    actor: context.actor,
    runAs: principal,
    trigger,
    actionId: SYNC_ACTION_ID,
    steps: [
      {
        // A forEach over the types: each target's input is its type.
        def: {
          id: "sync",
          action: INVENTORY_LIST,
          forEach: types,
          ...selection,
          input: { type: "${{ item }}" },
          onError: "fail",
          // Throttling and AWS's 5xx are retried; anything else marks its scope stale.
          retry: { attempts: 3, backoffSeconds: 1, maxBackoffSeconds: 20 },
        } as never,
      },
    ],
    input,
    inputShown: input,
  });
  return { id: started.runId };
}
