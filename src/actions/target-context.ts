import { setTimeout as sleep } from "node:timers/promises";
import { S3Client } from "@aws-sdk/client-s3";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import {
  credentialsFor,
  type Actor,
  type ConnectionRecord,
  type CredentialDeps,
} from "../connections/index.js";
import type { ActionContext } from "./action-definition.js";
import type { SdkClientCache } from "./sdk-client-cache.js";

interface CachedClient {
  client: unknown;
  /** Who the client's next credential fetch acts for: the latest run that used the client. */
  binding: { actor: Actor };
}

/**
 * The credential provider of a cached client. Marked `memoized`, so the SDK does not keep the
 * credentials itself and asks on every call: the connection's credential cache (one entry per
 * connection and user, a map lookup when fresh) stays the only place credentials live, and a
 * forgotten connection (edited, ExternalId rotated, a failed test) is never signed for with its
 * old credentials, while the client — whose configuration costs far more to build than a call —
 * lives on.
 */
function cachedCredentials(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  binding: CachedClient["binding"],
): AwsCredentialIdentityProvider {
  const provider = async (): Promise<AwsCredentialIdentity> => {
    try {
      return await credentialsFor(deps, connection, binding.actor)();
    } catch (error) {
      if (typeof error === "object" && error !== null) credentialFailures.add(error);
      throw error;
    }
  };
  return Object.assign(provider, { memoized: true });
}

const credentialFailures = new WeakSet<object>();

/**
 * Whether an action failed while getting the connection's credentials (AssumeRole refused, a
 * key missing) rather than on the call itself: the two have different fixes.
 */
export function failedOnCredentials(error: unknown): boolean {
  return typeof error === "object" && error !== null && credentialFailures.has(error);
}

/** SDK clients bound to one (connection, region): the connection's cached credentials, its endpoint, the org's HTTP agents. */
export function targetContext(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  region: string,
  actor: Actor,
  options: { maxItems: number | undefined; pageSize: number | undefined; signal: AbortSignal },
  clients: SdkClientCache,
): ActionContext {
  return {
    region,
    maxItems: options.maxItems,
    pageSize: options.pageSize,
    signal: options.signal,
    sleep: (ms) => sleep(ms, undefined, { signal: options.signal }),
    client<C>(ClientClass: new (config: never) => C): C {
      // An edited connection (new updatedAt) gets new clients; credentials are not part of the
      // key because the clients do not hold them (see cachedCredentials).
      const key = `${connection.id}|${connection.updatedAt}|${actor.userName}|${region}|${ClientClass.name}`;
      const cached = clients.get<CachedClient>(key, () => {
        const binding = { actor };
        const config = {
          region,
          credentials: cachedCredentials(deps, connection, binding),
          requestHandler: deps.outbound.requestHandler(connection.orgId),
          // The SDK's standard retry mode: backoff with jitter on throttling and 5xx.
          retryMode: "standard",
          maxAttempts: 3,
          ...(connection.endpoint === null
            ? {}
            : { endpoint: connection.endpoint, forcePathStyle: true }),
          // S3 runs once per account (isGlobalService); a bucket of another region answers
          // 301 with its region, and the client resends the call there.
          ...(ClientClass === (S3Client as unknown) ? { followRegionRedirects: true } : {}),
        };
        return { client: new ClientClass(config as never), binding };
      });
      // Credentials fetched from here on (the cache was empty or expired) name this run.
      cached.binding.actor = actor;
      return cached.client as C;
    },
  };
}
