import { AwsError } from "../aws-error.js";
import type { ServiceHandlers } from "./call-context.js";
import { pagedOutput, worldItems } from "./generic-read.js";
import { text } from "./input-text.js";

/** EKS, world key `eks`: `clusters` as DescribeCluster returns each (ListClusters gives names). */
export const eksService: ServiceHandlers = {
  async ListClusters(ctx, input) {
    await ctx.authorize("eks:ListClusters", "*");
    return pagedOutput(
      ctx,
      input,
      "clusters",
      worldItems(ctx, "clusters").map((c) => c.name),
    );
  },

  async DescribeCluster(ctx, input) {
    const name = text(input.name);
    await ctx.authorize(
      "eks:DescribeCluster",
      `arn:aws:eks:${ctx.region}:${ctx.account.id}:cluster/${name}`,
    );
    const cluster = worldItems(ctx, "clusters").find((c) => c.name === name);
    if (cluster === undefined)
      throw new AwsError("ResourceNotFoundException", `No cluster found for name: ${name}.`, 404);
    return { cluster };
  },
};
