import { setTimeout as sleep } from "node:timers/promises";
import {
  credentialsFor,
  type Actor,
  type ConnectionRecord,
  type CredentialDeps,
} from "../connections/index.js";
import type { ActionContext } from "./action-definition.js";

/** SDK clients bound to one (connection, region): the connection's cached credentials, its endpoint, the org's HTTP agents. */
export function targetContext(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  region: string,
  actor: Actor,
  options: { maxItems: number | undefined; pageSize: number | undefined; signal: AbortSignal },
): ActionContext {
  const credentials = credentialsFor(deps, connection, actor);
  const requestHandler = deps.outbound.requestHandler(connection.orgId);
  const clients = new Map<unknown, unknown>();
  return {
    region,
    maxItems: options.maxItems,
    pageSize: options.pageSize,
    signal: options.signal,
    sleep: (ms) => sleep(ms, undefined, { signal: options.signal }),
    client<C>(ClientClass: new (config: never) => C): C {
      let client = clients.get(ClientClass) as C | undefined;
      if (client === undefined) {
        const config = {
          region,
          credentials,
          requestHandler,
          // The SDK's standard retry mode: backoff with jitter on throttling and 5xx.
          retryMode: "standard",
          maxAttempts: 3,
          ...(connection.endpoint === null
            ? {}
            : { endpoint: connection.endpoint, forcePathStyle: true }),
        };
        client = new ClientClass(config as never);
        clients.set(ClientClass, client);
      }
      return client;
    },
  };
}
