import { AwsError } from "../aws-error.js";
import { optInStatus, type ResourceItem } from "../world/world.js";
import type { ServiceHandlers } from "./call-context.js";
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
