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
}

/**
 * One cache for all connections, one entry per (connection, acting user): every region and
 * client shares it, so 17 regions cost one AssumeRole; refreshed five minutes before expiry,
 * with one refresh in flight at a time.
 */
export class CredentialCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  /** `session`: the role session name a fetch now would be made in (see sessionOf). */
  async get(
    connectionId: string,
    actor: string,
    fetch: () => Promise<AwsCredentialIdentity>,
    session?: string,
  ): Promise<AwsCredentialIdentity> {
    const key = `${connectionId}\u0000${actor}`;
    const entry = this.entries.get(key) ?? {};
    this.entries.set(key, entry);
    const now = this.clock.now().getTime();
    if (
      entry.credentials !== undefined &&
      entry.validUntilMs !== undefined &&
      now < entry.validUntilMs
    ) {
      return entry.credentials;
    }
    entry.inflight ??= (async () => {
      try {
        const credentials = await fetch();
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

  /** Drops every entry of a connection (it changed or was deleted). */
  forget(connectionId: string): void {
    for (const key of this.entries.keys()) {
      if (key.startsWith(`${connectionId}\u0000`)) this.entries.delete(key);
    }
  }
}
