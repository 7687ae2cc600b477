import type { Clock } from "../clock.js";
import type { CredentialDeps } from "../connections/index.js";
import type { Db } from "../db/index.js";

export interface ActionDeps {
  db: Db;
  clock: Clock;
  credentials: CredentialDeps;
  /** Targets in flight at once, over the whole fan-out. */
  maxConcurrency?: number;
  /** Calls in flight per (account, region, service): AWS throttles per account, region and API. */
  maxPerBucket?: number;
}
