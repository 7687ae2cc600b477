import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { z } from "zod";
import {
  accessCheckOf,
  outputStoreOf,
  type ActionContext,
  type ActionDefinition,
  type PreparedAction,
} from "../actions/index.js";
import type { HandlerTarget, TargetHandler } from "../engine/index.js";
import { Invalid } from "../errors.js";
import { resourceTypeOf } from "./resource-types.js";
import { partitionOf, type Listing, type ListScope, type ResourceType } from "./resource-type.js";
import { markStale, storeListing, type SyncCounts } from "./store-listing.js";

/** The handler id a sync step names: not a catalog action (no `aws.` prefix). */
export const INVENTORY_LIST = "inventory.list";

const inputSchema = z.strictObject({ type: z.string() });

/** The account a connection reaches: known once it was tested, else asked of STS. */
export async function accountOf(context: ActionContext, accountId: string | null): Promise<string> {
  if (accountId !== null) return accountId;
  const identity = await context.client(STSClient).send(new GetCallerIdentityCommand({}));
  return identity.Account ?? "";
}

/** One listing of a type: its ARNs, parents and edges (the raw answers are dropped here). */
export async function listType(
  type: ResourceType,
  context: ActionContext,
  scope: ListScope,
): Promise<Listing> {
  const items = await type.items(context, scope);
  return {
    resources: items.map((item) => {
      const parent = type.parent?.(item.raw, scope);
      const zone = type.zone?.(item.raw);
      return {
        arn: item.arn,
        ...(parent === undefined ? {} : { parent }),
        ...(zone === undefined ? {} : { zone }),
      };
    }),
    edges: items.flatMap((item) => type.edges?.(item, scope) ?? []),
  };
}

function explain(error: unknown): { code: string; message: string } {
  const e = error as { name?: string; code?: string; message?: string };
  return {
    code: e.code ?? e.name ?? "Error",
    message: e.message ?? String(error),
  };
}

async function listAndStore(
  type: ResourceType,
  context: ActionContext,
  bound: HandlerTarget,
): Promise<SyncCounts> {
  const connection = bound.target.connection;
  if (connection === undefined) throw new Error("a sync target without its connection");
  const { deps } = bound;
  let account = connection.accountId ?? "";
  const scopeOf = () => ({
    orgId: bound.orgId,
    connectionId: connection.id,
    accountId: account,
    region: bound.target.region,
    type: type.type,
    runId: bound.runId,
  });
  try {
    account = await accountOf(context, connection.accountId);
    const listing = await listType(type, context, {
      partition: partitionOf(bound.target.region),
      account,
      region: bound.target.region,
    });
    return await storeListing(deps.db, deps.clock, scopeOf(), listing, deps.inFlight);
  } catch (error) {
    // Cancelled: nothing is wrong with the picture. Otherwise it stays, marked stale.
    if (!context.signal.aborted) await markStale(deps.db, deps.clock, scopeOf(), explain(error));
    throw error;
  }
}

/**
 * The sync's targets: each lists one resource type in one (connection, region) and stores what
 * it saw; its run row keeps only the counts.
 */
export const inventoryTargetHandler: TargetHandler = {
  id: INVENTORY_LIST,
  prepare(rawInput, bound) {
    const parsed = inputSchema.safeParse(rawInput);
    const type = parsed.success ? resourceTypeOf(parsed.data.type) : undefined;
    if (type === undefined)
      return Promise.reject(
        new Invalid(`types: no resource type ${JSON.stringify(rawInput)}`, { field: "types" }),
      );
    const action: ActionDefinition = {
      id: INVENTORY_LIST,
      title: `List ${type.title}s`,
      description: `Lists the ${type.title}s of a connection and region into the inventory`,
      sdkService: type.sdkService,
      operations: [],
      input: inputSchema,
      output: "counts",
      run: (context) => {
        if (bound === undefined)
          return Promise.reject(new Error("a sync target runs only bound to its target"));
        return listAndStore(type, context, bound);
      },
    };
    const prepared: PreparedAction = {
      action,
      input: { type: type.type },
      iamActions: type.iamActions,
      service: type.sdkService,
      global: type.global,
      redaction: {},
      access: accessCheckOf(type.iamActions),
      storeOutput: outputStoreOf(undefined),
    };
    return Promise.resolve(prepared);
  },
};
