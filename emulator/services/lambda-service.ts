import { AwsError } from "../aws-error.js";
import type { ServiceHandlers } from "./call-context.js";
import { genericRead, worldItems } from "./generic-read.js";
import { text } from "./input-text.js";

export const lambdaService: ServiceHandlers = {
  ListFunctions: genericRead,

  async GetFunctionConfiguration(ctx, input) {
    const requested = text(input.FunctionName);
    const name = requested.startsWith("arn:") ? (requested.split(":")[6] ?? "") : requested;
    const arn = `arn:aws:lambda:${ctx.region}:${ctx.account.id}:function:${name}`;
    await ctx.authorize("lambda:GetFunctionConfiguration", arn);
    const fn = worldItems(ctx, "Functions").find((f) => f.FunctionName === name);
    if (fn === undefined)
      throw new AwsError("ResourceNotFoundException", `Function not found: ${arn}`, 404);
    return fn;
  },
};
