import {
  DescribeClustersCommand,
  ECSClient,
  paginateListClusters,
  paginateListServices,
} from "@aws-sdk/client-ecs";
import { z } from "zod";
import { defineAction } from "../action-definition.js";
import { collectPages } from "../collect-pages.js";
import { paging } from "../paging.js";

const maxItems = z.number().int().positive().optional();

export const ecsActions = [
  defineAction({
    id: "aws.ecs.listClusters",
    title: "List ECS clusters",
    description: "The ARNs of the region's ECS clusters.",
    sdkService: "ecs",
    operations: ["ListClusters"],
    input: z.strictObject({ maxItems }),
    output: "{ clusterArns: [...] }",
    async run(ctx, { maxItems: max }) {
      return collectPages(
        paginateListClusters(paging(ctx, ECSClient), {}),
        ["clusterArns"],
        max ?? ctx.maxItems,
      );
    },
  }),
  defineAction({
    id: "aws.ecs.describeClusters",
    title: "Describe ECS clusters",
    description: "Status and counts of up to 100 clusters.",
    sdkService: "ecs",
    operations: ["DescribeClusters"],
    input: z.strictObject({
      clusters: z.array(z.string()).min(1).max(100).describe("cluster names or ARNs"),
      include: z
        .array(z.enum(["ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS"]))
        .optional(),
    }),
    output: "{ clusters: [...], failures: [...] }",
    async run(ctx, input) {
      const { clusters, failures } = await ctx
        .client(ECSClient)
        .send(new DescribeClustersCommand(input));
      return { clusters, failures };
    },
  }),
  defineAction({
    id: "aws.ecs.listServices",
    title: "List ECS services",
    description: "The ARNs of a cluster's services.",
    sdkService: "ecs",
    operations: ["ListServices"],
    input: z.strictObject({
      cluster: z.string().min(1).describe("cluster name or ARN"),
      launchType: z.enum(["EC2", "FARGATE", "EXTERNAL"]).optional(),
      maxItems,
    }),
    output: "{ serviceArns: [...] }",
    async run(ctx, { maxItems: max, ...input }) {
      return collectPages(
        paginateListServices(paging(ctx, ECSClient), input),
        ["serviceArns"],
        max ?? ctx.maxItems,
      );
    },
  }),
];
