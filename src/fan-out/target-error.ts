import type { TargetResult } from "../actions/index.js";
import { explainAwsError, notAwsResponse, type ConnectionRecord } from "../connections/index.js";
import { SwitchboardError } from "../errors.js";
import { asRunRequestError } from "./as-run-request-error.js";
import { optInRegionFix } from "./opt-in-region.js";
import { failedOnCredentials } from "./target-context.js";

/** A failed target's error as its result shows it: Switchboard's own code, or AWS's in words with the fix. */
export function targetError(
  raised: unknown,
  connection: ConnectionRecord,
  region: string,
): NonNullable<TargetResult["error"]> {
  const error = asRunRequestError(raised);
  if (
    error instanceof SwitchboardError &&
    error.code !== "OUTBOUND_REFUSED" &&
    error.code !== "NOT_FOUND"
  ) {
    return {
      code: error.code,
      message: error.message,
      ...(error.field === undefined ? {} : { field: error.field }),
    };
  }
  const explained =
    notAwsResponse(error, connection) ??
    explainAwsError(error, failedOnCredentials(raised) ? "credentials" : "identity", connection);
  const fix = optInRegionFix(explained.code, region, connection.name) ?? explained.fix;
  return { code: explained.code, message: explained.message, fix };
}
