import { SwitchboardError } from "../errors.js";
import type { ConnectionDeps } from "./connection-deps.js";

/**
 * The endpoint's host against the org's outbound allow-list. A refusal is about the endpoint
 * field, so a form shows it on that input; its details keep the entry that would allow it.
 */
export async function checkEndpoint(
  deps: Pick<ConnectionDeps, "checkEndpoint">,
  orgId: string,
  endpoint: string,
): Promise<void> {
  try {
    await deps.checkEndpoint(orgId, endpoint);
  } catch (error) {
    if (error instanceof SwitchboardError && error.field === undefined) {
      throw new SwitchboardError(error.code, error.message, {
        field: "endpoint",
        cause: error,
        ...(error.details === undefined ? {} : { details: error.details }),
      });
    }
    throw error;
  }
}
