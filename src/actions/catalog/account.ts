import { AccountClient, paginateListRegions } from "@aws-sdk/client-account";
import { z } from "zod";
import { defineAction } from "../action-definition.js";
import { collectPages } from "../collect-pages.js";
import { paging } from "../paging.js";

export const accountActions = [
  defineAction({
    id: "aws.account.listRegions",
    title: "List regions",
    description: "The account's regions and whether each is enabled.",
    sdkService: "account",
    operations: ["ListRegions"],
    input: z.strictObject({
      RegionOptStatusContains: z
        .array(z.enum(["ENABLED", "ENABLING", "DISABLING", "DISABLED", "ENABLED_BY_DEFAULT"]))
        .optional(),
      maxItems: z.number().int().positive().optional(),
    }),
    output: "{ Regions: [{ RegionName, RegionOptStatus }] }",
    async run(ctx, { maxItems, ...input }) {
      return collectPages(
        paginateListRegions(paging(ctx, AccountClient), input),
        ["Regions"],
        maxItems ?? ctx.maxItems,
      );
    },
  }),
];
