import type { Clock } from "../clock.js";
import type { Db } from "../db/index.js";

export interface ConnectionDeps {
  db: Db;
  clock: Clock;
  /** The OIDC issuer, shown on web_identity connections and in their trust policies. */
  oidcIssuer: string;
  /** Refuses an endpoint whose host the org's outbound allow-list does not allow. */
  checkEndpoint(orgId: string, url: string): Promise<void>;
  /** Whether the org's allow-list names the endpoint's host itself (an admin chose it). */
  endpointNamed(orgId: string, url: string): Promise<boolean>;
  /** Drops a connection's cached credentials after it changed. */
  forgetCredentials(connectionId: string): void;
}
