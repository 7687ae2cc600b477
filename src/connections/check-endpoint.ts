import type { Principal } from "../access/index.js";
import { Forbidden, SwitchboardError } from "../errors.js";
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

/**
 * A connection's endpoint receives its STS calls and every request signed for it: a web identity
 * token in the clear, or a SigV4 signature that AWS accepts again for minutes. A wildcard of the
 * allow-list (`*.amazonaws.com`) also matches hosts anyone can run (API Gateway, load
 * balancers), so only an org admin, or an endpoint whose host an admin named in the allow-list
 * itself, may point a connection somewhere new; a connection keeps the endpoint it has.
 */
export async function requireEndpointSetter(
  deps: Pick<ConnectionDeps, "endpointNamed">,
  principal: Principal,
  endpoint: string | null | undefined,
  current: string | null = null,
): Promise<void> {
  refuseNewEndpoint(await mayPointAt(deps, principal, endpoint), endpoint, current);
}

/** Whether the principal may point a connection at this endpoint (true when none is given). */
export async function mayPointAt(
  deps: Pick<ConnectionDeps, "endpointNamed">,
  principal: Principal,
  endpoint: string | null | undefined,
): Promise<boolean> {
  if (endpoint === undefined || endpoint === null || principal.role === "admin") return true;
  return deps.endpointNamed(principal.orgId, endpoint);
}

/** Refuses an endpoint the principal may not set, unless the connection already has it. */
export function refuseNewEndpoint(
  allowed: boolean,
  endpoint: string | null | undefined,
  current: string | null,
): void {
  if (allowed || endpoint === undefined || endpoint === null || endpoint === current) return;
  throw new Forbidden(
    "an endpoint receives the connection's STS calls, tokens and signed requests: an org admin sets it, or names its host in the outbound allow-list (a wildcard entry is not enough)",
    { field: "endpoint" },
  );
}
