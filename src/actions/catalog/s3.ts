import { GetBucketPolicyCommand, paginateListBuckets, S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import { defineAction } from "../action-definition.js";
import { collectPages } from "../collect-pages.js";
import { paging } from "../paging.js";

export const s3Actions = [
  defineAction({
    id: "aws.s3.listBuckets",
    title: "List buckets",
    description: "Every bucket the account owns (a global call: once per account).",
    sdkService: "s3",
    operations: ["ListBuckets"],
    input: z.strictObject({ maxItems: z.number().int().positive().optional() }),
    output: "{ Buckets: [{ Name, CreationDate, BucketRegion }], Owner }",
    async run(ctx, { maxItems }) {
      return collectPages(
        paginateListBuckets(paging(ctx, S3Client), {}),
        ["Buckets"],
        maxItems ?? ctx.maxItems,
      );
    },
  }),
  defineAction({
    id: "aws.s3.getBucketPolicy",
    title: "Get a bucket policy",
    description:
      "A bucket's policy document, parsed (once per account: the call follows the bucket to its region).",
    sdkService: "s3",
    operations: ["GetBucketPolicy"],
    input: z.strictObject({ Bucket: z.string().min(3).max(63) }),
    output: "{ Policy: { Version, Statement } }",
    async run(ctx, input) {
      const { Policy } = await ctx.client(S3Client).send(new GetBucketPolicyCommand(input));
      return { Policy: Policy === undefined ? null : (JSON.parse(Policy) as unknown) };
    },
  }),
];
