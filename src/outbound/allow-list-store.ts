import type { Clock } from "../clock.js";
import type { Db } from "../db/index.js";
import { AllowList } from "./allow-list.js";
import { readOutboundSettings } from "./read-outbound-settings.js";

/** How the outbound layer reads an org's list. */
export interface AllowListSource {
  get(orgId: string): Promise<AllowList>;
  /** Drops the cached list after a change, so the next request reads the new one. */
  invalidate(orgId: string): void;
}

export interface AllowListStoreDeps {
  db: Db;
  clock: Clock;
  /**
   * How long a list is served from memory. A PUT invalidates this process's copy at once; the
   * TTL bounds how long other processes sharing the PostgreSQL database keep the old list.
   */
  ttlMs?: number;
}

/** The database-backed AllowListSource with a short in-process cache (one read per org per TTL). */
export function createAllowListStore(deps: AllowListStoreDeps): AllowListSource {
  const ttlMs = deps.ttlMs ?? 30_000;
  const cache = new Map<string, { list: Promise<AllowList>; expiresAtMs: number }>();
  return {
    get(orgId) {
      const nowMs = deps.clock.now().getTime();
      const hit = cache.get(orgId);
      if (hit !== undefined && hit.expiresAtMs > nowMs) return hit.list;
      // Concurrent first requests of a fan-out share one read.
      const list = readOutboundSettings(deps.db, orgId).then(({ allow }) =>
        AllowList.fromStored(allow),
      );
      cache.set(orgId, { list, expiresAtMs: nowMs + ttlMs });
      list.catch(() => {
        if (cache.get(orgId)?.list === list) cache.delete(orgId);
      });
      return list;
    },
    invalidate(orgId) {
      cache.delete(orgId);
    },
  };
}
