import type { Principal } from "../access/index.js";
import { accessCheckOf, type ActionDefinition } from "../actions/index.js";
import { visibleConnection, type Actor } from "../connections/index.js";
import type { EngineDeps } from "../engine/index.js";
import { runTarget, Semaphore } from "../fan-out/index.js";
import { partitionOf, type Attributes } from "./resource-type.js";
import { resourceTypeOf } from "./resource-types.js";
import { accountOf } from "./sync-handler.js";

/** One line of the live view: a resource's attributes now, or why there are none. */
export type AttributesLine =
  | { arn: string; type: string; attributes: Attributes }
  | { arn: string; error: { code: string; message: string } };

const NOT_IN_INVENTORY = "not in the inventory of a connection you may see: sync first";

// Scopes asked of AWS at once for one view.
const SCOPES_AT_ONCE = 8;

/**
 * Fetches the live attributes of resources of the inventory, for a viewer: each (connection,
 * region, type) is listed once through the same layers as a sync (credentials, the connection's
 * access setting, the viewer's executor grant on it), and each ARN asked gets its attributes as
 * a line. Nothing is written: the lines go to `emit` and nowhere else.
 */
export async function fetchAttributes(
  deps: EngineDeps,
  principal: Principal,
  actor: Actor,
  arns: string[],
  emit: (line: AttributesLine) => void,
  signal: AbortSignal,
): Promise<void> {
  const wanted = [...new Set(arns)];
  const rows = await deps.db
    .selectFrom("inventory_resources as r")
    .innerJoin("connections as c", "c.id", "r.connection_id")
    .select(["r.arn", "r.type", "r.region", "r.connection_id", "c.name as connection_name"])
    .where("r.org_id", "=", principal.orgId)
    .where("r.arn", "in", wanted)
    .where("r.gone_at", "is", null)
    .execute();
  const groups = new Map<
    string,
    { connection: string; region: string; type: string; arns: Set<string> }
  >();
  const found = new Set<string>();
  for (const row of rows) {
    if (found.has(row.arn)) continue;
    found.add(row.arn);
    const key = `${row.connection_id} ${row.region} ${row.type}`;
    const group = groups.get(key) ?? {
      connection: row.connection_name,
      region: row.region,
      type: row.type,
      arns: new Set<string>(),
    };
    group.arns.add(row.arn);
    groups.set(key, group);
  }
  for (const arn of wanted)
    if (!found.has(arn)) emit({ arn, error: { code: "NOT_FOUND", message: NOT_IN_INVENTORY } });

  const semaphore = new Semaphore(SCOPES_AT_ONCE);
  await Promise.all(
    [...groups.values()].map((group) =>
      semaphore.run(async () => {
        const failAll = (code: string, message: string) => {
          for (const arn of group.arns) emit({ arn, error: { code, message } });
        };
        const type = resourceTypeOf(group.type);
        if (type === undefined) return failAll("NOT_FOUND", `no resource type ${group.type}`);
        const visible = await visibleConnection(deps.db, principal, group.connection).catch(
          () => undefined,
        );
        // A connection the viewer cannot see answers as an ARN the inventory does not have.
        if (visible === undefined) return failAll("NOT_FOUND", NOT_IN_INVENTORY);
        if (!visible.roles.includes("executor"))
          return failAll(
            "FORBIDDEN",
            `you need the executor role on connection ${group.connection} to see its resources live`,
          );
        const connection = visible.connection;
        const action: ActionDefinition = {
          id: "inventory.attributes",
          title: `${type.title} attributes`,
          description: "live attributes, never stored",
          sdkService: type.sdkService,
          operations: [],
          input: {} as never,
          output: "attributes",
          run: async (context) => {
            const account = await accountOf(context, connection.accountId);
            const items = await type.items(context, {
              partition: partitionOf(group.region),
              account,
              region: group.region,
            });
            const out: Record<string, Attributes> = {};
            for (const item of items)
              if (group.arns.has(item.arn)) out[item.arn] = type.attributes(item.raw);
            return out;
          },
        };
        const outcome = await runTarget(
          deps,
          { name: connection.name, connection, region: group.region },
          {
            action,
            input: {},
            access: accessCheckOf(type.iamActions),
            // Shown to the viewer only: nothing of it is kept.
            storeOutput: (output) => ({ shown: output, truncated: false, bytes: 0, stored: "" }),
            actor,
            request: { maxItems: undefined, pageSize: undefined },
            signal,
            limiter: { run: (_key, fn) => fn() },
          },
        );
        const result = outcome.result;
        if (result.status !== "succeeded") {
          const error = result.error ?? { code: "FAILED", message: "the listing failed" };
          return failAll(error.code, error.message);
        }
        const attributes = (result.output ?? {}) as Record<string, Attributes>;
        for (const arn of group.arns) {
          const found = attributes[arn];
          emit(
            found === undefined
              ? { arn, error: { code: "GONE", message: "AWS no longer lists it" } }
              : { arn, type: group.type, attributes: found },
          );
        }
      }),
    ),
  );
}
