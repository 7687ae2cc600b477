import { AwsError } from "../aws-error.js";
import type { ServiceHandlers } from "./call-context.js";
import { pagedOutput, worldItems } from "./generic-read.js";
import { text } from "./input-text.js";

// API Gateway's IAM actions are HTTP verbs on resource paths (apigateway:GET on /restapis).
function resource(region: string, path: string): string {
  return `arn:aws:apigateway:${region}::${path}`;
}

/** API Gateway REST APIs (v1), world key `apigateway`: `RestApis` as GetRestApis returns them. */
export const apigatewayService: ServiceHandlers = {
  async GetRestApis(ctx, input) {
    await ctx.authorize("apigateway:GET", resource(ctx.region, "/restapis"));
    return pagedOutput(ctx, input, "items", worldItems(ctx, "RestApis"));
  },
};

/**
 * API Gateway HTTP and WebSocket APIs (v2, under /v2/), world key `apigatewayv2`: `Apis` as GetApis
 * returns them. MaxResults travels as a string; NextToken is opaque.
 */
export const apigatewayv2Service: ServiceHandlers = {
  async GetApis(ctx, input) {
    // AWS authorizes apigateway:GET on arn:aws:apigateway:<region>::/apis, but the IAM data the
    // emulator's evaluator ships lists only REST resource types for GET: it is checked on "*".
    await ctx.authorize("apigateway:GET", "*");
    const raw = text(input.MaxResults);
    const size = raw === "" ? undefined : Number(raw);
    if (size !== undefined && (!Number.isInteger(size) || size < 1))
      throw new AwsError("BadRequestException", "Invalid MaxResults", 400);
    const apis = worldItems(ctx, "Apis");
    const token = text(input.NextToken);
    const offset = token === "" ? 0 : Number(Buffer.from(token, "base64").toString("utf8"));
    if (!Number.isInteger(offset) || offset < 0)
      throw new AwsError("BadRequestException", "Invalid NextToken", 400);
    const page = apis.slice(offset, size === undefined ? undefined : offset + size);
    const next = offset + page.length;
    return {
      Items: page,
      ...(next < apis.length ? { NextToken: Buffer.from(String(next)).toString("base64") } : {}),
    };
  },
};
