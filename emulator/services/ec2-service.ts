import { AwsError } from "../aws-error.js";
import { optInStatus, type ResourceItem } from "../world/world.js";
import type { CallContext, ServiceHandlers } from "./call-context.js";
import { applyEc2Filters, selectByIds, type Ec2Filter } from "./ec2-filters.js";
import { pagedOutput, worldItems } from "./generic-read.js";
import { text } from "./input-text.js";

function instanceArn(region: string, accountId: string, id: string): string {
  return `arn:aws:ec2:${region}:${accountId}:instance/${id}`;
}

// The world lists instances flat; EC2 answers with reservations. Instances that share a
// ReservationId are grouped; the others get one reservation each, as RunInstances would.
// The reservation's RequesterId is read from its first instance.
function reservations(instances: ResourceItem[], ownerId: string): ResourceItem[] {
  const byId = new Map<string, ResourceItem>();
  for (const instance of instances) {
    const id =
      typeof instance.ReservationId === "string"
        ? instance.ReservationId
        : `r-${text(instance.InstanceId).replace(/^i-/, "")}`;
    let reservation = byId.get(id);
    if (reservation === undefined) {
      reservation = { ReservationId: id, OwnerId: ownerId, Groups: [], Instances: [] };
      // Set when another service launched the instance for you (an Auto Scaling group…).
      if (typeof instance.RequesterId === "string") reservation.RequesterId = instance.RequesterId;
      byId.set(id, reservation);
    }
    (reservation.Instances as ResourceItem[]).push(instance);
  }
  return [...byId.values()];
}

// AWS's zone ids abbreviate the region: us-east-1 → use1, ap-southeast-2 → apse2.
function zoneIdPrefix(region: string): string {
  const [area = "", direction = "", number = ""] = region.split("-");
  const abbreviated = direction
    .replace(/north|south|east|west|central/g, (word) => word[0] ?? "")
    .slice(0, 2);
  return `${area}${abbreviated}${number}`;
}

// How many zones the emulator gives a region unless the world lists them (AWS's own counts for
// the two largest; three elsewhere).
const ZONE_COUNTS: Record<string, number> = { "us-east-1": 6, "us-west-2": 4 };

function availabilityZones(region: string): ResourceItem[] {
  const count = ZONE_COUNTS[region] ?? 3;
  return Array.from({ length: count }, (_, i) => ({
    ZoneName: `${region}${String.fromCharCode(97 + i)}`,
    ZoneId: `${zoneIdPrefix(region)}-az${i + 1}`,
    State: "available",
    OptInStatus: "opt-in-not-required",
    Messages: [],
    RegionName: region,
    GroupName: region,
    NetworkBorderGroup: region,
    ZoneType: "availability-zone",
  }));
}

const STATES: Record<string, ResourceItem> = {
  pending: { Code: 0, Name: "pending" },
  running: { Code: 16, Name: "running" },
  "shutting-down": { Code: 32, Name: "shutting-down" },
  terminated: { Code: 48, Name: "terminated" },
  stopping: { Code: 64, Name: "stopping" },
  stopped: { Code: 80, Name: "stopped" },
};

function stateOf(instance: ResourceItem): ResourceItem {
  return (instance.State as ResourceItem | undefined) ?? { Code: 16, Name: "running" };
}

/**
 * StopInstances and StartInstances: AWS answers with the transitional state (stopping, pending)
 * and the instance settles a moment later; here it settles at once, so the next describe shows
 * the final state.
 */
function changeState(
  action: "stop" | "start",
): (ctx: CallContext, input: Record<string, unknown>) => Promise<Record<string, unknown>> {
  return async (ctx, input) => {
    const ids = (input.InstanceIds as string[] | undefined) ?? [];
    const instances = selectByIds(worldItems(ctx, "Instances"), "InstanceId", ids);
    const iam = action === "stop" ? "ec2:StopInstances" : "ec2:StartInstances";
    for (const id of ids) await ctx.authorize(iam, instanceArn(ctx.region, ctx.account.id, id));
    for (const instance of instances) {
      const name = String(stateOf(instance).Name);
      if (name === "terminated" || name === "shutting-down")
        throw new AwsError(
          "IncorrectInstanceState",
          `The instance '${text(instance.InstanceId)}' is not in a state from which it can be ${action === "stop" ? "stopped" : "started"}.`,
          400,
        );
    }
    if (input.DryRun === true)
      throw new AwsError(
        "DryRunOperation",
        "Request would have succeeded, but DryRun flag is set.",
        412,
      );
    const [settled, transitional] =
      action === "stop" ? (["stopped", "stopping"] as const) : (["running", "pending"] as const);
    const changes = instances.map((instance) => {
      const previous = stateOf(instance);
      const unchanged = previous.Name === settled;
      instance.State = STATES[settled];
      if (!unchanged && action === "stop")
        instance.StateTransitionReason = `User initiated (${ctx.now().toISOString().slice(0, 19).replace("T", " ")} GMT)`;
      if (!unchanged && action === "start") instance.StateTransitionReason = "";
      return {
        InstanceId: instance.InstanceId,
        PreviousState: previous,
        CurrentState: unchanged ? previous : STATES[transitional],
      };
    });
    return action === "stop" ? { StoppingInstances: changes } : { StartingInstances: changes };
  };
}

export const ec2Service: ServiceHandlers = {
  async DescribeRegions(ctx, input) {
    await ctx.authorize("ec2:DescribeRegions", "*");
    // Regions the account has not enabled are listed only with AllRegions.
    let regions: ResourceItem[] = [...ctx.world.regions, ...ctx.world.optInRegions]
      .map((r) => ({
        RegionName: r,
        Endpoint: `ec2.${r}.amazonaws.com`,
        OptInStatus: optInStatus(ctx.world, ctx.account, r),
      }))
      .filter((r) => input.AllRegions === true || r.OptInStatus !== "not-opted-in");
    const names = input.RegionNames as string[] | undefined;
    if (names !== undefined && names.length > 0) {
      const unknown = names.find((n) => optInStatus(ctx.world, ctx.account, n) === undefined);
      if (unknown !== undefined)
        throw new AwsError("InvalidParameterValue", `Invalid region: ${unknown}`, 400);
      regions = regions.filter((r) => names.includes(String(r.RegionName)));
    }
    return {
      Regions: applyEc2Filters(regions, input.Filters as Ec2Filter[] | undefined, {
        operation: "DescribeRegions",
        accountId: ctx.account.id,
      }),
    };
  },

  async DescribeInstances(ctx, input) {
    await ctx.authorize("ec2:DescribeInstances", "*");
    const instances = selectByIds(
      worldItems(ctx, "Instances"),
      "InstanceId",
      input.InstanceIds as string[] | undefined,
    );
    const filters = input.Filters as Ec2Filter[] | undefined;
    const all = reservations(instances, ctx.account.id);
    if (filters === undefined || filters.length === 0)
      return pagedOutput(ctx, input, "Reservations", all);
    // Some filters look at the reservation (reservation-id, owner-id), so instances are grouped
    // first and each reservation keeps the instances that match.
    const matching = all
      .map((reservation) => ({
        ...reservation,
        Instances: applyEc2Filters(reservation.Instances as ResourceItem[], filters, {
          operation: "DescribeInstances",
          accountId: ctx.account.id,
          reservation,
        }),
      }))
      .filter((reservation) => reservation.Instances.length > 0);
    return pagedOutput(ctx, input, "Reservations", matching);
  },

  /**
   * Status checks of instances, from world data: an instance may carry `InstanceStatus` and
   * `SystemStatus` as this operation returns them (e.g. `{ Status: impaired, Details: [{ Name:
   * reachability, Status: failed }] }`; the Instance shape has neither, so DescribeInstances never
   * shows them); a running instance without them passes both checks. As in EC2, only running
   * instances are listed unless IncludeAllInstances, and the others' checks are not-applicable.
   */
  async DescribeInstanceStatus(ctx, input) {
    await ctx.authorize("ec2:DescribeInstanceStatus", "*");
    const ids = input.InstanceIds as string[] | undefined;
    if (ids !== undefined && ids.length > 0 && input.MaxResults !== undefined)
      throw new AwsError(
        "InvalidParameterCombination",
        "The parameter instancesSet cannot be used with the parameter maxResults",
        400,
      );
    const passed = {
      Status: "ok",
      Details: [{ Name: "reachability", Status: "passed" }],
    };
    const statuses = selectByIds(worldItems(ctx, "Instances"), "InstanceId", ids)
      .filter(
        (instance) => input.IncludeAllInstances === true || stateOf(instance).Name === "running",
      )
      .map((instance): ResourceItem => {
        const running = stateOf(instance).Name === "running";
        const check = (field: "InstanceStatus" | "SystemStatus") =>
          running
            ? ((instance[field] as ResourceItem | undefined) ?? passed)
            : { Status: "not-applicable" };
        return {
          InstanceId: instance.InstanceId,
          AvailabilityZone: (instance.Placement as ResourceItem | undefined)?.AvailabilityZone,
          InstanceState: stateOf(instance),
          InstanceStatus: check("InstanceStatus"),
          SystemStatus: check("SystemStatus"),
        };
      });
    return pagedOutput(
      ctx,
      input,
      "InstanceStatuses",
      applyEc2Filters(statuses, input.Filters as Ec2Filter[] | undefined, {
        operation: "DescribeInstanceStatus",
        accountId: ctx.account.id,
      }),
    );
  },

  async DescribeAvailabilityZones(ctx, input) {
    await ctx.authorize("ec2:DescribeAvailabilityZones", "*");
    const listed = worldItems(ctx, "AvailabilityZones");
    let zones = listed.length > 0 ? listed : availabilityZones(ctx.region);
    for (const field of ["ZoneName", "ZoneId"] as const) {
      const wanted = input[`${field}s`] as string[] | undefined;
      if (wanted === undefined || wanted.length === 0) continue;
      const unknown = wanted.find((w) => !zones.some((z) => z[field] === w));
      if (unknown !== undefined)
        throw new AwsError("InvalidParameterValue", `Invalid availability zone: [${unknown}]`, 400);
      zones = zones.filter((z) => wanted.includes(String(z[field])));
    }
    return {
      AvailabilityZones: applyEc2Filters(zones, input.Filters as Ec2Filter[] | undefined, {
        operation: "DescribeAvailabilityZones",
        accountId: ctx.account.id,
      }),
    };
  },

  StopInstances: changeState("stop"),
  StartInstances: changeState("start"),

  async TerminateInstances(ctx, input) {
    const ids = (input.InstanceIds as string[] | undefined) ?? [];
    const instances = selectByIds(worldItems(ctx, "Instances"), "InstanceId", ids);
    for (const id of ids)
      await ctx.authorize("ec2:TerminateInstances", instanceArn(ctx.region, ctx.account.id, id));
    if (input.DryRun === true)
      throw new AwsError(
        "DryRunOperation",
        "Request would have succeeded, but DryRun flag is set.",
        412,
      );
    return {
      TerminatingInstances: instances.map((instance) => {
        const previous = (instance.State as ResourceItem | undefined) ?? {
          Code: 16,
          Name: "running",
        };
        const terminated = previous.Name === "terminated";
        instance.State = { Code: 48, Name: "terminated" };
        return {
          InstanceId: instance.InstanceId,
          PreviousState: previous,
          CurrentState: terminated ? previous : { Code: 32, Name: "shutting-down" },
        };
      }),
    };
  },
};
