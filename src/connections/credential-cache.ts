import type { AwsCredentialIdentity } from "@smithy/types";
import type { Clock } from "../clock.js";

// Refresh this long before expiry, so a call never starts with credentials about to lapse.
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;
// Credentials without an expiry (static keys) are re-read this often, so a replaced key is picked up.
export const STATIC_CREDENTIALS_TTL_MS = 15 * 60 * 1000;

interface Entry {
  credentials?: AwsCredentialIdentity;
  /** The role session name the credentials were issued for, when there is one. */
  session?: string | undefined;
  validUntilMs?: number;
  inflight?: Promise<AwsCredentialIdentity> | undefined;
  /** AWS refused the credentials last handed out: the next fetch must not reuse any it holds. */
  rejected?: boolean;
}

/**
 * Fetches a connection's credentials. `fresh`: AWS refused the ones cached, or a person asked
 * for a check (a connection test), so a source that keeps its own copy (the SDK's default chain)
 * must be asked to refresh it.
 */
export type FetchCredentials = (fresh: boolean) => Promise<AwsCredentialIdentity>;

/**
 * One cache for all connections, one entry per (connection, acting user): every region and
 * client shares it, so 17 regions cost one AssumeRole; refreshed five minutes before expiry,
 * with one refresh in flight at a time.
 */
export class CredentialCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  /**
   * `session`: the role session name a fetch now would be made in (see sessionOf). `fresh`: skip
   * the cached credentials and fetch new ones (joining a fetch already in flight).
   */
  async get(
    connectionId: string,
    actor: string,
    fetch: FetchCredentials,
    session?: string,
    options: { fresh?: boolean } = {},
  ): Promise<AwsCredentialIdentity> {
    const key = `${connectionId}\u0000${actor}`;
    const entry = this.entries.get(key) ?? {};
    this.entries.set(key, entry);
    const now = this.clock.now().getTime();
    if (
      options.fresh !== true &&
      entry.credentials !== undefined &&
      entry.validUntilMs !== undefined &&
      now < entry.validUntilMs
    ) {
      return entry.credentials;
    }
    entry.inflight ??= (async () => {
      try {
        const credentials = await fetch(options.fresh === true || entry.rejected === true);
        entry.rejected = false;
        entry.credentials = credentials;
        entry.session = session;
        entry.validUntilMs =
          credentials.expiration === undefined
            ? this.clock.now().getTime() + STATIC_CREDENTIALS_TTL_MS
            : credentials.expiration.getTime() - REFRESH_BEFORE_EXPIRY_MS;
        return credentials;
      } finally {
        entry.inflight = undefined;
      }
    })();
    return entry.inflight;
  }

  /**
   * The role session name of the credentials cached for (connection, acting user): the name the
   * run that fetched them gave, which later runs reusing them share. CloudTrail logs their calls
   * under it.
   */
  sessionOf(connectionId: string, actor: string): string | undefined {
    return this.entries.get(`${connectionId}\u0000${actor}`)?.session;
  }

  /**
   * AWS refused `rejected`, credentials this cache handed out for (connection, acting user): drop
   * them, so the next get fetches fresh ones — but only if they are still the ones cached. When
   * many calls in flight fail at once, the first drops them and the others find new ones (or the
   * one fetch in flight) instead of each starting a fetch: one AssumeRole, not one per call.
   */
  reject(connectionId: string, actor: string, rejected: AwsCredentialIdentity): void {
    const entry = this.entries.get(`${connectionId}\u0000${actor}`);
    // The SDK signs with the very object get() returned, so identity says "still the same".
    if (entry === undefined || entry.credentials !== rejected) return;
    delete entry.credentials;
    delete entry.validUntilMs;
    entry.rejected = true;
  }

  /** Drops every entry of a connection (it changed or was deleted). */
  forget(connectionId: string): void {
    for (const key of this.entries.keys()) {
      if (key.startsWith(`${connectionId}\u0000`)) this.entries.delete(key);
    }
  }
}
