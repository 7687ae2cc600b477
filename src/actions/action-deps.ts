import type { Clock } from "../clock.js";
import type { CredentialDeps } from "../connections/index.js";
import type { Db } from "../db/index.js";
import type { SdkClientCache } from "./sdk-client-cache.js";
import type { KeyedSemaphore } from "../fan-out/index.js";

export interface ActionDeps {
  db: Db;
  clock: Clock;
  credentials: CredentialDeps;
  /** SDK clients shared across runs, per (connection version, user, region, service). */
  clients: SdkClientCache;
  /**
   * Calls in flight per (account, region, service), shared by every run of the process: AWS
   * throttles per account, region and API, whichever run calls (MAX_PER_BUCKET each).
   */
  buckets: KeyedSemaphore;
  /** This server process (server_instances.id), recorded on its runs; null in tests without one. */
  owner?: string | null;
}
