import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  paginateListFunctions,
} from "@aws-sdk/client-lambda";
import { z } from "zod";
import { defineAction } from "../action-definition.js";
import { collectPages } from "../collect-pages.js";
import { paging } from "../paging.js";

export const lambdaActions = [
  defineAction({
    id: "aws.lambda.listFunctions",
    title: "List Lambda functions",
    description: "The region's functions with their configuration.",
    sdkService: "lambda",
    operations: ["ListFunctions"],
    input: z.strictObject({ maxItems: z.number().int().positive().optional() }),
    output: "{ Functions: [...] }",
    async run(ctx, { maxItems }) {
      return collectPages(
        paginateListFunctions(paging(ctx, LambdaClient), {}),
        ["Functions"],
        maxItems ?? ctx.maxItems,
      );
    },
  }),
  defineAction({
    id: "aws.lambda.getFunctionConfiguration",
    title: "Get a function's configuration",
    description:
      "Runtime, memory, timeout, role, VPC and environment variable names of one function.",
    sdkService: "lambda",
    operations: ["GetFunctionConfiguration"],
    input: z.strictObject({ FunctionName: z.string().min(1), Qualifier: z.string().optional() }),
    output: "FunctionConfiguration",
    async run(ctx, input) {
      const { $metadata: _m, ...configuration } = await ctx
        .client(LambdaClient)
        .send(new GetFunctionConfigurationCommand(input));
      return configuration;
    },
  }),
];
