import type { AwsError } from "../aws-error.js";
import type { Operation, ServiceModel } from "../model/service-model.js";
import { jsonValue } from "./json-serializer.js";
import type { WireResponse } from "./wire-response.js";
import { locatedHeaders } from "./located-headers.js";

/** REST-JSON (Lambda, Account): headers from located members, the rest (or the payload) as body. */
export function serializeRestJsonOutput(
  operation: Operation,
  output: Record<string, unknown>,
  requestId: string,
): WireResponse {
  const shape = operation.output;
  const headers = {
    "content-type": "application/json",
    "x-amzn-requestid": requestId,
    ...locatedHeaders(shape, output),
  };
  const payloadName = shape.payload;
  let body: string | Buffer;
  if (payloadName !== undefined) {
    const member = shape.members[payloadName];
    const value = output[payloadName];
    body =
      value === undefined || member === undefined
        ? ""
        : member.type === "blob" || member.type === "string"
          ? (value as string | Buffer)
          : JSON.stringify(jsonValue(member, value));
  } else {
    body = JSON.stringify(jsonValue(shape, output) ?? {});
  }
  return { status: operation.http.responseCode ?? 200, headers, body };
}

// Lambda's modeled error shapes spell the field `Message`; other REST-JSON services `message`.
export function serializeRestJsonError(
  model: ServiceModel,
  error: AwsError,
  requestId: string,
): WireResponse {
  const messageField = model.signingName === "lambda" ? "Message" : "message";
  return {
    status: error.status,
    headers: {
      "content-type": "application/json",
      "x-amzn-requestid": requestId,
      "x-amzn-errortype": error.code,
    },
    body: JSON.stringify({
      Type: error.fault === "Sender" ? "User" : "Service",
      [messageField]: error.message,
    }),
  };
}
