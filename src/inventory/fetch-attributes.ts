import type { Principal } from "../access/index.js";
import { accessCheckOf, type ActionDefinition } from "../actions/index.js";
import { visibleConnection, type Actor } from "../connections/index.js";
import type { EngineDeps } from "../engine/index.js";
import { runTarget, Semaphore, type Limiter } from "../fan-out/index.js";
import {
  alarmsInAlarm,
  alarmsPointingAt,
  hasAlarms,
  impairedInstances,
  type AlarmInAlarm,
  type Explained,
} from "./live-status.js";
import { idOfArn, partitionOf, type Attributes } from "./resource-type.js";
import { resourceTypeOf } from "./resource-types.js";
import { accountOf } from "./sync-handler.js";

/**
 * One line of the live view: a resource's attributes now (with `partial` when its status checks
 * or alarms could not be read, and why), or why there are none.
 */
export type AttributesLine =
  | { arn: string; type: string; attributes: Attributes; partial?: Explained }
  | { arn: string; error: { code: string; message: string } };

interface Fetched {
  attributes: Record<string, Attributes>;
  partial: Explained | null;
}

const NOT_IN_INVENTORY = "not in the inventory of a connection you may see: sync first";

// Scopes asked of AWS at once for one view.
const SCOPES_AT_ONCE = 8;

/**
 * Fetches the live attributes of resources of the inventory, for a viewer: each (connection,
 * region, type) is listed once through the same layers as a sync (credentials, the connection's
 * access setting, the viewer's executor grant on it), and each ARN asked gets its attributes as
 * a line. The live status joins them: an EC2 instance whose status checks fail is `impaired`
 * (DescribeInstanceStatus once per instance listing), and `alarms` names the CloudWatch alarms in
 * ALARM whose dimensions point at a resource (DescribeAlarms once per connection and region). A
 * refused or failed status call leaves the attributes, with `partial` saying what is unknown.
 * Nothing is written: the lines go to `emit` and nowhere else. It answers the connections it
 * asked AWS through, for the caller's audit event.
 */
export async function fetchAttributes(
  deps: EngineDeps,
  principal: Principal,
  actor: Actor,
  arns: string[],
  emit: (line: AttributesLine) => void,
  signal: AbortSignal,
  options: {
    /** false: no status checks or alarms (the budget reads sizes, not status). */
    liveStatus: boolean;
    /** The live calls' limiter per (connection, region, service) of this process. */
    limiter: Limiter;
  },
): Promise<{ connections: string[] }> {
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
    { connectionId: string; connection: string; region: string; type: string; arns: Set<string> }
  >();
  // One DescribeAlarms per (connection, region), shared by the types listed there.
  const alarmsByScope = new Map<string, ReturnType<typeof alarmsInAlarm>>();
  const found = new Set<string>();
  for (const row of rows) {
    if (found.has(row.arn)) continue;
    found.add(row.arn);
    const key = `${row.connection_id} ${row.region} ${row.type}`;
    const group = groups.get(key) ?? {
      connectionId: row.connection_id,
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

  // The connections AWS was asked through, for the caller's audit event.
  const asked = new Set<string>();
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
        asked.add(connection.name);
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
            const wanted = items.filter((item) => group.arns.has(item.arn));
            const unknown: Explained[] = [];
            let alarms: AlarmInAlarm[] | undefined;
            if (options.liveStatus && wanted.length > 0 && hasAlarms(type.type)) {
              const key = `${group.connectionId} ${group.region}`;
              const pending = alarmsByScope.get(key) ?? alarmsInAlarm(context, connection.access);
              alarmsByScope.set(key, pending);
              const found = await pending;
              if ("error" in found) unknown.push(found.error);
              else alarms = found.alarms;
            }
            const out: Record<string, Attributes> = {};
            for (const item of wanted) {
              const attributes = type.attributes(item.raw);
              if (alarms !== undefined)
                attributes.alarms = alarmsPointingAt(type.type, item.arn, item.raw, alarms);
              out[item.arn] = attributes;
            }
            const running = Object.entries(out).filter(([, a]) => a.state === "running");
            if (options.liveStatus && type.type === "ec2.instance" && running.length > 0) {
              const checks = await impairedInstances(context, connection.access);
              if ("error" in checks) unknown.push(checks.error);
              else
                for (const [arn, attributes] of running)
                  if (checks.impaired.has(idOfArn(arn))) attributes.state = "impaired";
            }
            const partial: Explained | null =
              unknown.length === 0
                ? null
                : {
                    code: unknown[0]?.code ?? "ERROR",
                    message: unknown.map((u) => u.message).join("; "),
                  };
            return { attributes: out, partial } satisfies Fetched;
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
            limiter: options.limiter,
          },
        );
        const result = outcome.result;
        if (result.status !== "succeeded") {
          const error = result.error ?? { code: "FAILED", message: "the listing failed" };
          return failAll(error.code, error.message);
        }
        const fetched = (result.output ?? { attributes: {}, partial: null }) as Fetched;
        for (const arn of group.arns) {
          const found = fetched.attributes[arn];
          emit(
            found === undefined
              ? { arn, error: { code: "GONE", message: "AWS no longer lists it" } }
              : {
                  arn,
                  type: group.type,
                  attributes: found,
                  ...(fetched.partial === null ? {} : { partial: fetched.partial }),
                },
          );
        }
      }),
    ),
  );
  return { connections: [...asked].sort() };
}
