import type { Clock } from "../clock.js";
import type { CredentialDeps } from "../connections/index.js";
import type { Db } from "../db/index.js";
import type { SdkClientCache } from "./sdk-client-cache.js";

export interface ActionDeps {
  db: Db;
  clock: Clock;
  credentials: CredentialDeps;
  /** SDK clients shared across runs, per (connection version, user, region, service). */
  clients: SdkClientCache;
  /** Targets in flight at once, over the whole fan-out. */
  maxConcurrency?: number;
  /** Calls in flight per (account, region, service): AWS throttles per account, region and API. */
  maxPerBucket?: number;
}
