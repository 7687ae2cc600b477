import type { ConnectionRecord } from "./connection-record.js";
import type { ExplainedError } from "./explain-aws-error.js";

/** The raw HTTP response the SDK attaches to an error it read from one (`$response`). */
interface AttachedResponse {
  statusCode: number;
  headers?: Record<string, string | undefined>;
}

function attachedResponse(error: unknown): AttachedResponse | undefined {
  if (typeof error !== "object" || error === null || !("$response" in error)) return undefined;
  const response = (error as { $response?: unknown }).$response;
  if (typeof response !== "object" || response === null) return undefined;
  const status = (response as { statusCode?: unknown }).statusCode;
  return typeof status === "number" ? (response as AttachedResponse) : undefined;
}

function contentTypeOf(response: AttachedResponse): string | undefined {
  const entry = Object.entries(response.headers ?? {}).find(
    ([name]) => name.toLowerCase() === "content-type",
  );
  return entry?.[1]?.split(";")[0]?.trim() || undefined;
}

/**
 * Whether an SDK error came from an answer that is not AWS's: an HTML page, a proxy's error, a
 * body in another protocol. AWS answers every API call in the service's protocol, and every
 * error with a code. So: the SDK could not read the body at all (its deserializer failed: the
 * error carries the response but is no service exception, which always has `$fault`), or the
 * body named no error code (the SDK's `Unknown`), or it was an HTML page.
 */
function fromSomethingElse(error: unknown, response: AttachedResponse): boolean {
  const e = error as { $fault?: unknown; name?: unknown };
  if (e.$fault === undefined) return true;
  if (e.name === "Unknown") return true;
  return contentTypeOf(response) === "text/html";
}

/**
 * An SDK error explained as what it is when the connection's endpoint (or whatever answered for
 * AWS) is not speaking AWS, with the HTTP status and content type it answered; undefined for any
 * other error. Without this, the parser's own words reached the user ("SyntaxError: Unexpected
 * token '<'").
 */
export function notAwsResponse(
  error: unknown,
  connection: Pick<ConnectionRecord, "endpoint">,
): ExplainedError | undefined {
  const response = attachedResponse(error);
  if (response === undefined || !fromSomethingElse(error, response)) return undefined;
  const answered = `HTTP ${response.statusCode} (${contentTypeOf(response) ?? "no content type"})`;
  if (connection.endpoint !== null)
    return {
      code: "ENDPOINT_NOT_AWS",
      message: `the endpoint ${connection.endpoint} answered ${answered}, which is not an AWS response: check the connection's endpoint`,
      fix: "set the connection's endpoint to the base URL of an AWS API or an AWS-compatible one (a VPC endpoint, LocalStack), or clear it to use AWS's own",
    };
  return {
    code: "ENDPOINT_NOT_AWS",
    message: `AWS's endpoint answered ${answered}, which is not an AWS response: something between Switchboard and AWS answered instead`,
    fix: "check the network path to AWS: a proxy, firewall or captive portal that answers for AWS's hosts",
  };
}
