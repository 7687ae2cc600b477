import { setTimeout as sleep } from "node:timers/promises";
import {
  credentialsFor,
  type Actor,
  type ConnectionRecord,
  type CredentialDeps,
} from "../connections/index.js";
import type { ActionContext } from "./action-definition.js";
import type { SdkClientCache } from "./sdk-client-cache.js";

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
      // SDK clients memoize credentials: the cache generation retires them when the connection's
      // credentials are forgotten (edited, ExternalId rotated, a failed test).
      const key = [
        connection.id,
        connection.updatedAt,
        deps.cache.generation(connection.id),
        actor.userName,
        region,
        ClientClass.name,
      ].join("|");
      return clients.get(key, () => {
        const config = {
          region,
          credentials: credentialsFor(deps, connection, actor),
          requestHandler: deps.outbound.requestHandler(connection.orgId),
          // The SDK's standard retry mode: backoff with jitter on throttling and 5xx.
          retryMode: "standard",
          maxAttempts: 3,
          ...(connection.endpoint === null
            ? {}
            : { endpoint: connection.endpoint, forcePathStyle: true }),
        };
        return new ClientClass(config as never);
      });
    },
  };
}
