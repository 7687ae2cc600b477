import type { Principal } from "../access/index.js";
import type { RunRequest } from "../actions/index.js";
import {
  listExecutableConnections,
  visibleConnection,
  type ConnectionRecord,
} from "../connections/index.js";
import type { Db } from "../db/index.js";
import { Invalid, Refused, SwitchboardError } from "../errors.js";
import { blockedRegions, unreachableConnections } from "../organizations/index.js";
import { accountKeyOf } from "./account-key-of.js";
import type { AccessCheck, Target } from "./target.js";

/** Which connections and regions, as the run request has them. */
export type Selection = Pick<
  RunRequest,
  "connection" | "region" | "connections" | "regions" | "everyConnection"
>;

export interface ChooseOptions {
  /** Whether the connection's access setting allows the action, per setting. */
  access: AccessCheck;
  /** A global service (IAM, S3's bucket list, …) runs once per account, not once per region. */
  global: boolean;
  /** The SDK service called: the third part of each target's bucket. */
  service: string;
  /**
   * Where a once-per-account target runs when its connection has the region and it is wanted;
   * us-east-1 (where the global services answer) when absent.
   */
  perAccountRegion?: string;
  /**
   * The connections a `*` or tag selection may use (a project's workflow: the org's and its
   * project's). The others are left out before a connection is chosen per account and region,
   * so another project's connection never takes an account's place and skips this one.
   */
  mayUse?: (connection: ConnectionRecord) => boolean;
}

/** One connection and region named (`connection` and `region`), not a fan-out. */
export function isSingleSelection(selection: Selection): boolean {
  return selection.connection !== undefined || selection.region !== undefined;
}

function bucketOf(connection: ConnectionRecord, region: string, service: string): string {
  return `${accountKeyOf(connection)}/${region}/${service}`;
}

/** A target reported as skipped, with why. */
function skipped(
  connection: ConnectionRecord,
  region: string,
  code: string,
  message: string,
): Target {
  return {
    name: connection.name,
    connection,
    region,
    preset: { status: "skipped", error: { code, message } },
  };
}

/** What a fan-out's connection selector chose, in words, for when it chose nothing. */
function describeSelector(connections: NonNullable<Selection["connections"]>): string {
  if (connections === "*")
    return "you may execute no connection: ask an editor of one for the executor role";
  if (Array.isArray(connections)) return "none of the named connections is one you may execute";
  return `no connection you may execute has tag ${connections.tag}`;
}

async function chooseSingle(
  db: Db,
  principal: Principal,
  selection: Selection,
  service: string,
): Promise<Target[]> {
  if (selection.connection === undefined || selection.region === undefined) {
    throw new Invalid("a single run needs both connection and region", {
      field: selection.connection === undefined ? "connection" : "region",
    });
  }
  if (selection.connections !== undefined || selection.regions !== undefined) {
    throw new Invalid("give either connection and region, or connections and regions", {
      field: "connections",
    });
  }
  const { connection, roles } = await visibleConnection(db, principal, selection.connection);
  if (!roles.includes("executor")) {
    throw new Refused(
      "FORBIDDEN",
      `you need the executor role on connection ${connection.name} to run actions with it`,
    );
  }
  if (!connection.regions.includes(selection.region)) {
    throw new SwitchboardError(
      "REGION_NOT_ALLOWED",
      connection.regions.length === 0
        ? `connection ${connection.name} has no regions yet: test it (it learns them) or set them`
        : `region ${selection.region} is not one of connection ${connection.name}'s regions (${connection.regions.join(", ")})`,
      { field: "region" },
    );
  }
  return [
    {
      name: connection.name,
      connection,
      region: selection.region,
      bucket: bucketOf(connection, selection.region, service),
    },
  ];
}

/**
 * The targets of a run, before anything is sent: one connection and region, or executable
 * connections × their regions. Regions a connection does not have are reported skipped
 * (REGION_NOT_ALLOWED), and named connections the principal may not execute refused. A global
 * service runs once per account: of the connections to one account, the first whose access
 * setting allows the action runs it (in the preferred region, or the next of its regions the
 * health ledger has not blocked for the account; REGION_BLOCKED when all are), and the others are
 * reported skipped (SAME_ACCOUNT). Any other
 * runs once per (account, region) the same way (SAME_ACCOUNT_REGION), unless the selection asks
 * for every connection: two connections to one account would return the same data twice.
 * Throws when the selection is invalid or chooses nothing (the API's error for it).
 */
export async function chooseTargets(
  deps: { db: Db },
  principal: Principal,
  selection: Selection,
  options: ChooseOptions,
): Promise<Target[]> {
  const { access, global, service } = options;
  const preferred = options.perAccountRegion ?? "us-east-1";
  if (isSingleSelection(selection)) return chooseSingle(deps.db, principal, selection, service);
  if (selection.connections === undefined)
    throw new Invalid("give connection and region, or connections", { field: "connection" });

  const executable = await listExecutableConnections(deps.db, principal);
  const byName = new Map(executable.map((c) => [c.name, c]));
  const targets: Target[] = [];
  let chosen: ConnectionRecord[];
  if (Array.isArray(selection.connections)) {
    chosen = [];
    for (const name of selection.connections) {
      const connection = byName.get(name);
      if (connection === undefined) {
        targets.push({
          name,
          region: "-",
          preset: {
            status: "refused",
            error: { code: "FORBIDDEN", message: `no connection ${name} that you may execute` },
          },
        });
      } else chosen.push(connection);
    }
  } else {
    const usable = options.mayUse === undefined ? executable : executable.filter(options.mayUse);
    if (selection.connections === "*") chosen = usable;
    else {
      const tag = selection.connections.tag;
      const [key, value] = [tag.slice(0, tag.indexOf("=")), tag.slice(tag.indexOf("=") + 1)];
      chosen = usable.filter((c) => c.tags[key] === value);
    }
  }
  if (chosen.length === 0)
    throw new Invalid(describeSelector(selection.connections), { field: "connections" });
  // Accounts an organization's health ledger knows are unreachable are not tried, and say why.
  const unreachable = await unreachableConnections(
    deps.db,
    chosen.map((c) => c.id),
  );
  for (const connection of chosen) {
    const known = unreachable.get(connection.id);
    if (known !== undefined)
      targets.push(skipped(connection, "-", "ACCOUNT_UNREACHABLE", known.message));
  }
  chosen = chosen.filter((c) => !unreachable.has(c.id));
  // Regions the ledger knows an account cannot use (opt-in not enabled, denied by an SCP).
  const blocked = await blockedRegions(
    deps.db,
    principal.orgId,
    chosen.map((c) => accountKeyOf(c)),
  );
  const blockedIn = (connection: ConnectionRecord, region: string) =>
    blocked.get(accountKeyOf(connection))?.get(region);

  const wantedOf = (connection: ConnectionRecord): readonly string[] =>
    selection.regions === undefined || selection.regions === "*"
      ? connection.regions
      : selection.regions;
  // Per account (global) or per account and region, the connection that runs it: the first
  // whose access setting allows the action, else the first.
  const runsFor = new Map<string, ConnectionRecord>();
  const claim = async (key: string, connection: ConnectionRecord) => {
    const current = runsFor.get(key);
    if (current === undefined) runsFor.set(key, connection);
    else if (!(await access(current.access)).allowed && (await access(connection.access)).allowed)
      runsFor.set(key, connection);
  };
  const oncePerRegion = !global && selection.everyConnection !== true;
  for (const connection of chosen) {
    if (global) await claim(accountKeyOf(connection), connection);
    else if (oncePerRegion) {
      for (const region of wantedOf(connection)) {
        if (connection.regions.includes(region) && blockedIn(connection, region) === undefined)
          await claim(`${accountKeyOf(connection)}/${region}`, connection);
      }
    }
  }

  for (const connection of chosen) {
    const wanted = wantedOf(connection);
    if (connection.regions.length === 0) {
      targets.push(
        skipped(
          connection,
          "-",
          "REGION_NOT_ALLOWED",
          `connection ${connection.name} has no regions yet: test it`,
        ),
      );
      continue;
    }
    if (global) {
      const runner = runsFor.get(accountKeyOf(connection));
      if (runner !== connection) {
        targets.push(
          skipped(
            connection,
            "-",
            "SAME_ACCOUNT",
            `connection ${runner?.name ?? ""} reaches the same account ${accountKeyOf(connection)}: a global service runs once per account`,
          ),
        );
        continue;
      }
      // The global service answers alike in every region: a region the ledger has blocked for
      // the account (opt-in, SCP) gives way to the next the connection has, wanted ones first.
      const candidates = [
        ...(connection.regions.includes(preferred) && wanted.includes(preferred)
          ? [preferred]
          : []),
        ...wanted.filter((r) => connection.regions.includes(r)),
        ...connection.regions,
      ];
      const region = candidates.find((r) => blockedIn(connection, r) === undefined);
      if (region === undefined) {
        const first = candidates[0] ?? preferred;
        targets.push(
          skipped(
            connection,
            first,
            "REGION_BLOCKED",
            `every region of connection ${connection.name} is blocked for account ${accountKeyOf(connection)}: ${[
              ...new Set(candidates),
            ]
              .map((r) => `${r}: ${blockedIn(connection, r)?.message ?? ""}`)
              .join("; ")}`,
          ),
        );
        continue;
      }
      targets.push({
        name: connection.name,
        connection,
        region,
        bucket: bucketOf(connection, region, service),
      });
      continue;
    }
    for (const region of wanted) {
      if (!connection.regions.includes(region)) {
        targets.push(
          skipped(
            connection,
            region,
            "REGION_NOT_ALLOWED",
            `${region} is not one of connection ${connection.name}'s regions`,
          ),
        );
        continue;
      }
      const known = blockedIn(connection, region);
      if (known !== undefined) {
        targets.push(skipped(connection, region, "REGION_BLOCKED", known.message));
        continue;
      }
      const runner = oncePerRegion
        ? runsFor.get(`${accountKeyOf(connection)}/${region}`)
        : connection;
      if (runner !== undefined && runner !== connection) {
        targets.push(
          skipped(
            connection,
            region,
            "SAME_ACCOUNT_REGION",
            `connection ${runner.name} runs it in the same account ${accountKeyOf(connection)} and region ${region}: a fan-out runs once per (account, region) unless it asks for every connection (everyConnection)`,
          ),
        );
        continue;
      }
      targets.push({
        name: connection.name,
        connection,
        region,
        bucket: bucketOf(connection, region, service),
      });
    }
  }
  return targets;
}
