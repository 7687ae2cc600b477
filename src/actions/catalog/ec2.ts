import {
  EC2Client,
  paginateDescribeInstances,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
} from "@aws-sdk/client-ec2";
import { z } from "zod";
import { defineAction } from "../action-definition.js";
import { collectPages } from "../collect-pages.js";
import { paging } from "../paging.js";

const filters = z
  .array(z.strictObject({ Name: z.string().min(1), Values: z.array(z.string()).min(1) }))
  .optional()
  .describe("EC2 filters, e.g. [{Name: 'instance-state-name', Values: ['running']}]");
const maxItems = z.number().int().positive().optional().describe("stop after this many items");

export const ec2Actions = [
  defineAction({
    id: "aws.ec2.describeInstances",
    title: "Describe instances",
    description: "EC2 instances, grouped in reservations, all pages.",
    sdkService: "ec2",
    operations: ["DescribeInstances"],
    input: z.strictObject({
      InstanceIds: z.array(z.string()).optional(),
      Filters: filters,
      maxItems,
    }),
    output: "{ Reservations: [{ Instances: [...] }] }",
    async run(ctx, { maxItems: max, ...input }) {
      return collectPages(
        paginateDescribeInstances(paging(ctx, EC2Client), input),
        ["Reservations"],
        max ?? ctx.maxItems,
      );
    },
  }),
  defineAction({
    id: "aws.ec2.describeVpcs",
    title: "Describe VPCs",
    description: "VPCs in the region.",
    sdkService: "ec2",
    operations: ["DescribeVpcs"],
    input: z.strictObject({ VpcIds: z.array(z.string()).optional(), Filters: filters, maxItems }),
    output: "{ Vpcs: [...] }",
    async run(ctx, { maxItems: max, ...input }) {
      return collectPages(
        paginateDescribeVpcs(paging(ctx, EC2Client), input),
        ["Vpcs"],
        max ?? ctx.maxItems,
      );
    },
  }),
  defineAction({
    id: "aws.ec2.describeSubnets",
    title: "Describe subnets",
    description: "Subnets in the region.",
    sdkService: "ec2",
    operations: ["DescribeSubnets"],
    input: z.strictObject({
      SubnetIds: z.array(z.string()).optional(),
      Filters: filters,
      maxItems,
    }),
    output: "{ Subnets: [...] }",
    async run(ctx, { maxItems: max, ...input }) {
      return collectPages(
        paginateDescribeSubnets(paging(ctx, EC2Client), input),
        ["Subnets"],
        max ?? ctx.maxItems,
      );
    },
  }),
  defineAction({
    id: "aws.ec2.describeSecurityGroups",
    title: "Describe security groups",
    description: "Security groups and their rules.",
    sdkService: "ec2",
    operations: ["DescribeSecurityGroups"],
    input: z.strictObject({ GroupIds: z.array(z.string()).optional(), Filters: filters, maxItems }),
    output: "{ SecurityGroups: [...] }",
    async run(ctx, { maxItems: max, ...input }) {
      return collectPages(
        paginateDescribeSecurityGroups(paging(ctx, EC2Client), input),
        ["SecurityGroups"],
        max ?? ctx.maxItems,
      );
    },
  }),
];
