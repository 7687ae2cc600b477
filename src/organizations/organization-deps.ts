import type { FastifyBaseLogger } from "fastify";
import type { Clock } from "../clock.js";
import type { ConnectionDeps, CredentialDeps } from "../connections/index.js";
import type { Db } from "../db/index.js";
import type { Queue } from "../engine/index.js";

/** What the organizations feature needs: a request's routes and the engine's workers both have it. */
export interface OrganizationDeps {
  db: Db;
  clock: Clock;
  queue: Queue;
  credentials: CredentialDeps;
  logger: Pick<FastifyBaseLogger, "info" | "warn" | "error">;
}

/** The connections feature's create path, fed from the same services. */
export function connectionDepsOf(deps: OrganizationDeps): ConnectionDeps {
  return {
    db: deps.db,
    clock: deps.clock,
    oidcIssuer: deps.credentials.oidc.issuer,
    checkEndpoint: (orgId, url) => deps.credentials.outbound.checkUrl(orgId, url),
    endpointNamed: (orgId, url) => deps.credentials.outbound.namesExactly(orgId, url),
    forgetCredentials: (id) => deps.credentials.cache.forget(id),
  };
}
