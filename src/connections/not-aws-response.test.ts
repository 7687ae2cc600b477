import { describe, expect, it } from "vitest";
import { notAwsResponse } from "./not-aws-response.js";

const ENDPOINT = { endpoint: "https://vpce.example.internal" };

/** An error as the SDK leaves it: `$response` hidden (non-enumerable), as its middleware sets it. */
function sdkError(
  fields: { name: string; message: string; $fault?: string },
  response: { statusCode: number; headers: Record<string, string> },
): Error {
  const error = Object.assign(new Error(fields.message), fields);
  Object.defineProperty(error, "$response", { value: response, enumerable: false });
  return error;
}

describe("an answer that is not AWS's", () => {
  it("is a body the SDK could not read, named with the endpoint, status and content type", () => {
    const parseError = sdkError(
      { name: "SyntaxError", message: "Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON" },
      { statusCode: 404, headers: { "content-type": "text/html; charset=utf-8" } },
    );
    expect(notAwsResponse(parseError, ENDPOINT)).toEqual({
      code: "ENDPOINT_NOT_AWS",
      message:
        "the endpoint https://vpce.example.internal answered HTTP 404 (text/html), which is not an AWS response: check the connection's endpoint",
      fix: expect.stringContaining("endpoint") as unknown,
    });
  });

  it("is an error document without an AWS error code, or an HTML page", () => {
    const unknown = sdkError(
      { name: "Unknown", $fault: "client", message: "UnknownError" },
      { statusCode: 404, headers: { "content-type": "application/json" } },
    );
    expect(notAwsResponse(unknown, ENDPOINT)?.message).toContain("HTTP 404 (application/json)");
    const page = sdkError(
      { name: "NotFound", $fault: "client", message: "Unknown" },
      { statusCode: 404, headers: { "Content-Type": "text/html" } },
    );
    expect(notAwsResponse(page, ENDPOINT)?.code).toBe("ENDPOINT_NOT_AWS");
  });

  it("says something between Switchboard and AWS answered when the connection has no endpoint", () => {
    const error = sdkError(
      { name: "Error", message: "@aws-sdk XML parse error" },
      { statusCode: 403, headers: {} },
    );
    expect(notAwsResponse(error, { endpoint: null })?.message).toBe(
      "AWS's endpoint answered HTTP 403 (no content type), which is not an AWS response: something between Switchboard and AWS answered instead",
    );
  });

  it("is not AWS's own errors, S3's bodiless 404 to a HEAD, or a network failure", () => {
    const denied = sdkError(
      { name: "UnauthorizedOperation", $fault: "client", message: "You are not authorized" },
      { statusCode: 403, headers: { "content-type": "text/xml;charset=UTF-8" } },
    );
    expect(notAwsResponse(denied, ENDPOINT)).toBeUndefined();
    const head404 = sdkError(
      { name: "NotFound", $fault: "client", message: "UnknownError" },
      { statusCode: 404, headers: { "content-type": "application/xml" } },
    );
    expect(notAwsResponse(head404, ENDPOINT)).toBeUndefined();
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(notAwsResponse(refused, ENDPOINT)).toBeUndefined();
  });
});
