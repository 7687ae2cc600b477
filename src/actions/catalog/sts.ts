import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { z } from "zod";
import { defineAction } from "../action-definition.js";

export const stsActions = [
  defineAction({
    id: "aws.sts.getCallerIdentity",
    title: "Who am I",
    description: "The account, user id and ARN of the identity the connection acts as.",
    sdkService: "sts",
    operations: ["GetCallerIdentity"],
    input: z.strictObject({}),
    output: "{ Account, Arn, UserId }",
    async run(ctx) {
      const { Account, Arn, UserId } = await ctx
        .client(STSClient)
        .send(new GetCallerIdentityCommand({}));
      return { Account, Arn, UserId };
    },
  }),
];
