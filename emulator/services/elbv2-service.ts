import { AwsError } from "../aws-error.js";
import { collection, type ResourceItem } from "../world/world.js";
import type { CallContext, ServiceHandlers } from "./call-context.js";
import { pagedOutput, worldItems } from "./generic-read.js";
import { text } from "./input-text.js";

// Elastic Load Balancing v2 (API version 2015-12-01), world key `elasticloadbalancingv2`:
//   LoadBalancers: [LoadBalancer]            as DescribeLoadBalancers returns them
//   TargetGroups:  [TargetGroup + Targets]   LoadBalancerArns links a group to its balancers;
//                  Targets: [{ Id, Port?, AvailabilityZone?, HealthState?, Reason?, Description? }]
//   Listeners:     [Listener]                LoadBalancerArn, DefaultActions[].TargetGroupArn

function notFound(code: string, noun: string): AwsError {
  return new AwsError(code, `One or more ${noun} not found`, 400);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(text) : [];
}

/** The items whose `field` is one of `wanted` (all when none is asked), every one found. */
function pick(
  items: ResourceItem[],
  field: string,
  wanted: string[],
  missing: () => AwsError,
): ResourceItem[] {
  if (wanted.length === 0) return items;
  if (wanted.some((w) => !items.some((item) => item[field] === w))) throw missing();
  return items.filter((item) => wanted.includes(text(item[field])));
}

function loadBalancer(ctx: CallContext, arn: string): ResourceItem {
  const found = worldItems(ctx, "LoadBalancers").find((lb) => lb.LoadBalancerArn === arn);
  if (found === undefined) throw notFound("LoadBalancerNotFound", "load balancers");
  return found;
}

// An instance target that is not running is reported as AWS does: unused, with the reason.
function targetHealth(ctx: CallContext, target: ResourceItem): ResourceItem {
  const id = text(target.Id);
  const instance = id.startsWith("i-") ? instanceNamed(ctx, id) : undefined;
  const state = text((instance?.State as ResourceItem | undefined)?.Name);
  if (instance !== undefined && state !== "" && state !== "running")
    return {
      State: "unused",
      Reason: "Target.InvalidState",
      Description: `Target is in the ${state} state`,
    };
  const health: ResourceItem = { State: target.HealthState ?? "healthy" };
  if (target.Reason !== undefined) health.Reason = target.Reason;
  if (target.Description !== undefined) health.Description = target.Description;
  return health;
}

function instanceNamed(ctx: CallContext, id: string): ResourceItem | undefined {
  return collection(ctx.account, ctx.region, "ec2", "Instances").find((i) => i.InstanceId === id);
}

export const elbv2Service: ServiceHandlers = {
  async DescribeLoadBalancers(ctx, input) {
    await ctx.authorize("elasticloadbalancing:DescribeLoadBalancers", "*");
    let items = worldItems(ctx, "LoadBalancers");
    items = pick(items, "LoadBalancerArn", strings(input.LoadBalancerArns), () =>
      notFound("LoadBalancerNotFound", "load balancers"),
    );
    const names = strings(input.Names);
    const missingName = names.find((n) => !items.some((lb) => lb.LoadBalancerName === n));
    if (missingName !== undefined)
      throw new AwsError(
        "LoadBalancerNotFound",
        `Load balancers '[${missingName}]' not found`,
        400,
      );
    if (names.length > 0) items = items.filter((lb) => names.includes(text(lb.LoadBalancerName)));
    return pagedOutput(ctx, input, "LoadBalancers", items);
  },

  async DescribeTargetGroups(ctx, input) {
    await ctx.authorize("elasticloadbalancing:DescribeTargetGroups", "*");
    let items = worldItems(ctx, "TargetGroups");
    const balancer = text(input.LoadBalancerArn);
    if (balancer !== "") {
      loadBalancer(ctx, balancer);
      items = items.filter((tg) => strings(tg.LoadBalancerArns).includes(balancer));
    }
    items = pick(items, "TargetGroupArn", strings(input.TargetGroupArns), () =>
      notFound("TargetGroupNotFound", "target groups"),
    );
    const names = strings(input.Names);
    const missingName = names.find((n) => !items.some((tg) => tg.TargetGroupName === n));
    if (missingName !== undefined)
      throw new AwsError("TargetGroupNotFound", `Target groups '[${missingName}]' not found`, 400);
    if (names.length > 0) items = items.filter((tg) => names.includes(text(tg.TargetGroupName)));
    return pagedOutput(ctx, input, "TargetGroups", items);
  },

  async DescribeTargetHealth(ctx, input) {
    const arn = text(input.TargetGroupArn);
    await ctx.authorize("elasticloadbalancing:DescribeTargetHealth", "*");
    const group = worldItems(ctx, "TargetGroups").find((tg) => tg.TargetGroupArn === arn);
    if (group === undefined) throw notFound("TargetGroupNotFound", "target groups");
    const registered = (group.Targets as ResourceItem[] | undefined) ?? [];
    const asked = (input.Targets as ResourceItem[] | undefined) ?? [];
    const targets =
      asked.length === 0
        ? registered.map((t) => ({ target: t, registered: true }))
        : asked.map((a) => {
            const found = registered.find(
              (t) => t.Id === a.Id && (a.Port === undefined || t.Port === a.Port),
            );
            return { target: found ?? a, registered: found !== undefined };
          });
    return {
      TargetHealthDescriptions: targets.map(({ target, registered: isRegistered }) => {
        const port = target.Port ?? group.Port;
        return {
          Target: {
            Id: target.Id,
            ...(port !== undefined ? { Port: port } : {}),
            ...(target.AvailabilityZone !== undefined
              ? { AvailabilityZone: target.AvailabilityZone }
              : {}),
          },
          HealthCheckPort: text(group.HealthCheckPort) || "traffic-port",
          TargetHealth: isRegistered
            ? targetHealth(ctx, target)
            : {
                State: "unused",
                Reason: "Target.NotRegistered",
                Description: "Target is not registered to the target group",
              },
        };
      }),
    };
  },

  async DescribeListeners(ctx, input) {
    await ctx.authorize("elasticloadbalancing:DescribeListeners", "*");
    const balancer = text(input.LoadBalancerArn);
    const arns = strings(input.ListenerArns);
    if (balancer === "" && arns.length === 0)
      throw new AwsError(
        "ValidationError",
        "You must specify either listener ARNs or a load balancer ARN",
        400,
      );
    let items = worldItems(ctx, "Listeners");
    if (balancer !== "") {
      loadBalancer(ctx, balancer);
      items = items.filter((l) => l.LoadBalancerArn === balancer);
    }
    items = pick(items, "ListenerArn", arns, () => notFound("ListenerNotFound", "listeners"));
    return pagedOutput(ctx, input, "Listeners", items);
  },
};
