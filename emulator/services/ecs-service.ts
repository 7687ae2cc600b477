import { AwsError } from "../aws-error.js";
import type { CallContext, ServiceHandlers } from "./call-context.js";
import { pagedOutput, worldItems } from "./generic-read.js";

function clusterArn(ctx: CallContext, nameOrArn: string): string {
  return nameOrArn.startsWith("arn:")
    ? nameOrArn
    : `arn:aws:ecs:${ctx.region}:${ctx.account.id}:cluster/${nameOrArn}`;
}

function serviceArn(ctx: CallContext, cluster: string, nameOrArn: string): string {
  if (nameOrArn.startsWith("arn:")) return nameOrArn;
  const clusterName = cluster.split("/").pop() ?? cluster;
  return `arn:aws:ecs:${ctx.region}:${ctx.account.id}:service/${clusterName}/${nameOrArn}`;
}

export const ecsService: ServiceHandlers = {
  async ListClusters(ctx, input) {
    await ctx.authorize("ecs:ListClusters", "*");
    return pagedOutput(
      ctx,
      input,
      "clusterArns",
      worldItems(ctx, "clusters").map((c) => c.clusterArn),
    );
  },

  async DescribeClusters(ctx, input) {
    const requested = ((input.clusters as string[] | undefined) ?? ["default"]).map((c) =>
      clusterArn(ctx, c),
    );
    for (const arn of requested) await ctx.authorize("ecs:DescribeClusters", arn);
    const all = worldItems(ctx, "clusters");
    return {
      clusters: all.filter((c) => requested.includes(String(c.clusterArn))),
      failures: requested
        .filter((arn) => !all.some((c) => c.clusterArn === arn))
        .map((arn) => ({ arn, reason: "MISSING" })),
    };
  },

  async ListServices(ctx, input) {
    const cluster = clusterArn(ctx, (input.cluster as string | undefined) ?? "default");
    await ctx.authorize("ecs:ListServices", "*", { context: { "ecs:cluster": cluster } });
    if (!worldItems(ctx, "clusters").some((c) => c.clusterArn === cluster))
      throw new AwsError("ClusterNotFoundException", "Cluster not found.", 400);
    const services = worldItems(ctx, "services").filter((s) => s.clusterArn === cluster);
    return pagedOutput(
      ctx,
      input,
      "serviceArns",
      services.map((s) => s.serviceArn),
    );
  },

  async DescribeServices(ctx, input) {
    const cluster = clusterArn(ctx, (input.cluster as string | undefined) ?? "default");
    const requested = ((input.services as string[] | undefined) ?? []).map((s) =>
      serviceArn(ctx, cluster, s),
    );
    for (const arn of requested) await ctx.authorize("ecs:DescribeServices", arn);
    if (!worldItems(ctx, "clusters").some((c) => c.clusterArn === cluster))
      throw new AwsError("ClusterNotFoundException", "Cluster not found.", 400);
    const all = worldItems(ctx, "services");
    return {
      services: all.filter((s) => requested.includes(String(s.serviceArn))),
      failures: requested
        .filter((arn) => !all.some((s) => s.serviceArn === arn))
        .map((arn) => ({ arn, reason: "MISSING" })),
    };
  },
};
