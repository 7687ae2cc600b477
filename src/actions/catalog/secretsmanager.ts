import { paginateListSecrets, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { z } from "zod";
import { defineAction } from "../action-definition.js";
import { collectPages } from "../collect-pages.js";
import { paging } from "../paging.js";

export const secretsManagerActions = [
  defineAction({
    id: "aws.secretsmanager.listSecrets",
    title: "List secrets",
    description: "Secret metadata (never values).",
    sdkService: "secrets-manager",
    operations: ["ListSecrets"],
    input: z.strictObject({
      Filters: z
        .array(
          z.strictObject({
            Key: z.enum([
              "description",
              "name",
              "tag-key",
              "tag-value",
              "primary-region",
              "owning-service",
              "all",
            ]),
            Values: z.array(z.string()),
          }),
        )
        .optional(),
      maxItems: z.number().int().positive().optional(),
    }),
    output: "{ SecretList: [...] }",
    async run(ctx, { maxItems, ...input }) {
      return collectPages(
        paginateListSecrets(paging(ctx, SecretsManagerClient), input),
        ["SecretList"],
        maxItems ?? ctx.maxItems,
      );
    },
  }),
];
