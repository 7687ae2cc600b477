import type { AwsError } from "../aws-error.js";
import type { Operation, ServiceModel } from "../model/service-model.js";
import { jsonValue } from "./json-serializer.js";
import { queryCompatibleError } from "./query-compatible-errors.js";
import type { WireResponse } from "./wire-response.js";

function contentType(model: ServiceModel): string {
  return `application/x-amz-json-${model.jsonVersion}`;
}

/** AWS JSON 1.0/1.1 (ECS, Secrets Manager, Logs): the output structure as the body. */
export function serializeJsonOutput(
  model: ServiceModel,
  operation: Operation,
  output: Record<string, unknown>,
  requestId: string,
): WireResponse {
  return {
    status: 200,
    headers: { "content-type": contentType(model), "x-amzn-requestid": requestId },
    body: JSON.stringify(jsonValue(operation.output, output) ?? {}),
  };
}

export function serializeJsonError(
  model: ServiceModel,
  error: AwsError,
  requestId: string,
): WireResponse {
  const compatible = queryCompatibleError(model, error);
  if (compatible !== undefined)
    return {
      status: compatible.status,
      headers: {
        "content-type": contentType(model),
        "x-amzn-requestid": requestId,
        "x-amzn-query-error": `${compatible.queryCode};${error.fault}`,
      },
      body: JSON.stringify({
        __type: compatible.type,
        [compatible.messageField]: error.message,
        ...error.extra.members,
      }),
    };
  return {
    status: error.status,
    headers: { "content-type": contentType(model), "x-amzn-requestid": requestId },
    body: JSON.stringify({
      __type: error.code,
      [error.extra.messageField ?? "message"]: error.message,
      ...error.extra.members,
    }),
  };
}
