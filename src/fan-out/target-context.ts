import { setTimeout as sleep } from "node:timers/promises";
import { S3Client } from "@aws-sdk/client-s3";
import { getSmithyContext } from "@smithy/core";
import type {
  AbsoluteLocation,
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  InitializeHandlerOptions,
  InitializeMiddleware,
} from "@smithy/types";
import {
  credentialsFor,
  credentialsRejected,
  type Actor,
  type ConnectionRecord,
  type CredentialDeps,
} from "../connections/index.js";
import type { ActionContext, SdkClientCache } from "../actions/index.js";

interface MiddlewareStackOf {
  add(
    middleware: InitializeMiddleware<object, object>,
    options: InitializeHandlerOptions & AbsoluteLocation,
  ): void;
}

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

/**
 * Sends a call once more when AWS refused the credentials it was signed with (sessions revoked,
 * an endpoint restarted, a secret replaced in the key store): the connection's cache drops them
 * if they are still the ones it holds, and the second attempt signs with fresh ones. Once only: a
 * second refusal is the answer.
 */
function retryWithFreshCredentials(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  binding: CachedClient["binding"],
): InitializeMiddleware<object, object> {
  return (next, context) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      if (failedOnCredentials(error) || !credentialsRejected(error)) throw error;
      // What the SDK signed this call with (set by its auth-scheme middleware).
      const { selectedHttpAuthScheme } = getSmithyContext(context) as {
        selectedHttpAuthScheme?: { identity?: AwsCredentialIdentity };
      };
      const used = selectedHttpAuthScheme?.identity;
      if (used !== undefined) deps.cache.reject(connection.id, binding.actor.userName, used);
      return next(args);
    }
  };
}

const RETRY_WITH_FRESH_CREDENTIALS: InitializeHandlerOptions & AbsoluteLocation = {
  step: "initialize",
  priority: "high",
  name: "switchboardRetryWithFreshCredentials",
};

interface Sender {
  send(command: unknown, options?: unknown, callback?: unknown): Promise<unknown>;
}

/**
 * The cached client as this target sees it: every call it sends (a paginator's pages too, which
 * go through `client.send`) carries the target's signal as the SDK's `abortSignal`, so cancelling
 * a run aborts the HTTP request in flight. The client itself is shared across runs and cannot
 * hold one run's signal; a proxy keeps `instanceof`, which the SDK's paginators check.
 */
function withSignal<C>(client: C, signal: AbortSignal): C {
  const target = client as C & Sender;
  const send = (command: unknown, options?: unknown, callback?: unknown): Promise<unknown> =>
    typeof options === "function"
      ? target.send(command, options)
      : target.send(command, { ...(options as object | undefined), abortSignal: signal }, callback);
  return new Proxy(target, {
    get: (object, key, receiver) =>
      key === "send" ? send : (Reflect.get(object, key, receiver) as unknown),
  });
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
        const client = new ClientClass(config as never);
        (client as { middlewareStack: MiddlewareStackOf }).middlewareStack.add(
          retryWithFreshCredentials(deps, connection, binding),
          RETRY_WITH_FRESH_CREDENTIALS,
        );
        return { client, binding };
      });
      // Credentials fetched from here on (the cache was empty or expired) name this run.
      cached.binding.actor = actor;
      return withSignal(cached.client as C, options.signal);
    },
  };
}
