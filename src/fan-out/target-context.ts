import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { S3Client } from "@aws-sdk/client-s3";
import { getSmithyContext } from "@smithy/core";
import type {
  AbsoluteLocation,
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  DeserializeHandlerOptions,
  DeserializeMiddleware,
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
  add(
    middleware: DeserializeMiddleware<object, object>,
    options: DeserializeHandlerOptions & AbsoluteLocation,
  ): void;
}

/** Whom an AWS call acts for: set around each call a target sends (see `scoped`). */
interface CallScope {
  deps: CredentialDeps;
  connection: ConnectionRecord;
  actor: Actor;
  /** Called once, after the target's first request has left (see `announceSent`). */
  onSent: (() => void) | undefined;
}

// An async context, because the SDK asks a client's credential provider twice per call: once in
// its auth middleware and again, with no argument, from the SigV4 signer it builds per request —
// nothing of the call reaches the second ask. A client per connection × region cost a
// 17,000-target fan-out 1.9× the memory. While a store is enabled, Node's promise hooks tax every
// promise of the process (about 2.5% of a fan-out's CPU, 0.1 ms of a single action's answer,
// profiled): it is enabled only while calls are out (`inScope`).
const callScope = new AsyncLocalStorage<CallScope>();
let callsOut = 0;

/** Runs `send` in the call's scope, and turns the promise hooks off when no call is left out. */
async function inScope<T>(scope: CallScope, send: () => Promise<T>): Promise<T> {
  callsOut += 1;
  try {
    return await callScope.run(scope, send);
  } finally {
    callsOut -= 1;
    // `run` enables the store again for the next call.
    if (callsOut === 0) callScope.disable();
  }
}

/**
 * The credential provider of every cached client: the credentials of the connection and person
 * the current call acts for, from the connection's credential cache (one entry per connection and
 * user, a map lookup when fresh), asked on every call. Marked `memoized`, so the SDK keeps none
 * itself: the cache stays the only place credentials live, and a forgotten connection (edited,
 * ExternalId rotated, a failed test) is never signed for with its old credentials. A call made
 * outside a target's scope gets no credentials at all — never the host's.
 */
const scopedCredentials: AwsCredentialIdentityProvider = Object.assign(
  async (): Promise<AwsCredentialIdentity> => {
    const scope = callScope.getStore();
    if (scope === undefined) throw new Error("an AWS call outside a target has no credentials");
    try {
      return await credentialsFor(scope.deps, scope.connection, scope.actor)();
    } catch (error) {
      if (typeof error === "object" && error !== null) credentialFailures.add(error);
      throw error;
    }
  },
  { memoized: true },
);

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
const retryWithFreshCredentials: InitializeMiddleware<object, object> =
  (next, context) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      const scope = callScope.getStore();
      if (scope === undefined || failedOnCredentials(error) || !credentialsRejected(error))
        throw error;
      // What the SDK signed this call with (set by its auth-scheme middleware).
      const { selectedHttpAuthScheme } = getSmithyContext(context) as {
        selectedHttpAuthScheme?: { identity?: AwsCredentialIdentity };
      };
      const used = selectedHttpAuthScheme?.identity;
      if (used !== undefined)
        scope.deps.cache.reject(scope.connection.id, scope.actor.userName, used);
      return next(args);
    }
  };

const RETRY_WITH_FRESH_CREDENTIALS: InitializeHandlerOptions & AbsoluteLocation = {
  step: "initialize",
  priority: "high",
  name: "switchboardRetryWithFreshCredentials",
};

/**
 * Calls the target's `onSent` once its first request is out. The handler writes the request on
 * the socket within the same turn of the event loop (a kept-alive socket: nextTicks and
 * microtasks), so a callback queued with setImmediate runs after it has left, while AWS works
 * on it. Innermost in the stack, so it runs once per request actually handed to the socket.
 */
const announceSent: DeserializeMiddleware<object, object> = (next) => (args) => {
  const scope = callScope.getStore();
  const answer = next(args);
  const onSent = scope?.onSent;
  if (scope !== undefined && onSent !== undefined) {
    scope.onSent = undefined;
    setImmediate(onSent);
  }
  return answer;
};

const ANNOUNCE_SENT: DeserializeHandlerOptions & AbsoluteLocation = {
  step: "deserialize",
  priority: "low",
  name: "switchboardAnnounceSent",
};

interface Sender {
  send(command: unknown, options?: unknown): Promise<unknown>;
}

/**
 * The shared client as this target sees it: every call it sends (a paginator's or a waiter's
 * too, which go through `client.send`) runs in the target's call scope — signed for its
 * connection and person — and carries the target's signal as the SDK's `abortSignal`, so
 * cancelling a run aborts the HTTP request in flight. A proxy keeps `instanceof`, which the
 * SDK's paginators check.
 */
function scoped<C>(client: C, scope: CallScope, signal: AbortSignal): C {
  const target = client as C & Sender;
  // Promises only: a callback would outlive the scope's count.
  const send = (command: unknown, options?: unknown, ...callback: unknown[]): Promise<unknown> => {
    if (typeof options === "function" || callback.some((c) => c !== undefined))
      throw new TypeError("a target's clients take no callback: await client.send(command)");
    return inScope(scope, () =>
      target.send(command, { ...(options as object | undefined), abortSignal: signal }),
    );
  };
  return new Proxy(target, {
    get: (object, key, receiver) =>
      key === "send" ? send : (Reflect.get(object, key, receiver) as unknown),
  });
}

/**
 * SDK clients for one target (connection, region). A client holds no credentials and no
 * connection: one is shared by every connection of an org with the same endpoint, per region
 * and service (building one resolves its whole configuration, 0.4–0.6 ms of CPU, and holds tens
 * of kilobytes — per connection × region, a fan-out over 17,000 targets would build and hold
 * 17,000). Whom a call acts for travels with the call (`scoped`).
 */
export function targetContext(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  region: string,
  actor: Actor,
  options: {
    maxItems: number | undefined;
    pageSize: number | undefined;
    signal: AbortSignal;
    onSent?: (() => void) | undefined;
  },
  clients: SdkClientCache,
): ActionContext {
  const scope: CallScope = { deps, connection, actor, onSent: options.onSent };
  return {
    region,
    regions: connection.regions,
    maxItems: options.maxItems,
    pageSize: options.pageSize,
    signal: options.signal,
    sleep: (ms) => sleep(ms, undefined, { signal: options.signal }),
    client<C>(ClientClass: new (config: never) => C, choice: { region?: string } = {}): C {
      const at = choice.region ?? region;
      if (at !== region && !connection.regions.includes(at))
        throw new Error(`connection ${connection.name} does not allow region ${at}`);
      // The org's HTTP agents (its outbound allow-list) and the endpoint are the client's own.
      const key = `${connection.orgId}|${connection.endpoint ?? ""}|${at}|${ClientClass.name}`;
      const client = clients.get<C>(key, () => {
        const config = {
          region: at,
          credentials: scopedCredentials,
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
        const created = new ClientClass(config as never);
        (created as { middlewareStack: MiddlewareStackOf }).middlewareStack.add(
          retryWithFreshCredentials,
          RETRY_WITH_FRESH_CREDENTIALS,
        );
        (created as { middlewareStack: MiddlewareStackOf }).middlewareStack.add(
          announceSent,
          ANNOUNCE_SENT,
        );
        return created;
      });
      return scoped(client, scope, options.signal);
    },
  };
}
