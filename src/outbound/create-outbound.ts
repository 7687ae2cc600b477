import http from "node:http";
import type { Destination } from "./allow-list.js";
import type { AllowListSource } from "./allow-list-store.js";
import { destinationOf, outboundUrl } from "./destination.js";
import {
  GuardedHttpAgent,
  GuardedHttpsAgent,
  type CheckedList,
  type ConnectionGuard,
} from "./guarded-agents.js";
import { outboundRefused } from "./outbound-refused.js";
import {
  sendOutboundRequest,
  type OutboundRequestOptions,
  type OutboundResponse,
} from "./outbound-request.js";
import { systemResolver, type Resolver } from "./resolver.js";
import { GuardedRequestHandler } from "./sdk-request-handler.js";

/**
 * The instance-metadata (IMDS, v4 and v6) and container-credential (ECS, EKS Pod Identity)
 * endpoints: the only destinations `allowAmbient` opens, over plain http as AWS serves them.
 */
export const AMBIENT_ENDPOINTS: readonly string[] = [
  "169.254.169.254:80",
  "[fd00:ec2::254]:80",
  "169.254.170.2:80",
  "169.254.170.23:80",
  "[fd00:ec2::23]:80",
];

export interface OrgAgents {
  http: GuardedHttpAgent;
  https: GuardedHttpsAgent;
}

export interface OutboundDeps {
  allowLists: AllowListSource;
  /** DNS; tests inject a hostile one. */
  resolver?: Resolver;
  /** Per host and org, as the SDK's own default. */
  maxSocketsPerHost?: number;
  /** How long an AWS SDK request may wait (defaults: SDK_TIMEOUTS); tests shorten them. */
  sdkTimeouts?: SdkTimeouts;
}

export interface SdkTimeouts {
  /** To open the TCP connection: an unreachable endpoint (a dropped route, a blackholed VPC endpoint). */
  connectMs: number;
  /** Of silence on an open connection: an endpoint that accepts and never answers. */
  idleMs: number;
}

/**
 * The SDK sets no timeout of its own, so one endpoint that never answers would hold a fan-out's
 * answer forever. AWS APIs answer in well under a second; the SDK's standard retry (3 attempts)
 * retries a timeout like any transient error, so an unreachable account fails in about 3 × these.
 */
const SDK_TIMEOUTS: SdkTimeouts = { connectMs: 5_000, idleMs: 30_000 };

export interface Outbound {
  /** How long an AWS SDK request may wait to connect, and in silence. */
  readonly sdkTimeouts: SdkTimeouts;
  /**
   * The org's shared keep-alive agents. One pair per org, not per client: every SDK client and
   * request of the org reuses its sockets, and a socket approved under one org's list never
   * carries another org's request.
   */
  agentsFor(orgId: string): OrgAgents;
  /** An AWS SDK v3 `requestHandler` for a client acting for the org, with the SDK timeouts. */
  requestHandler(orgId: string): GuardedRequestHandler;
  /**
   * The host check alone, without DNS or sockets: for validating a URL when it is saved (a
   * connection's endpoint, a webhook). Throws OUTBOUND_REFUSED, or INVALID_REQUEST for a URL
   * that is not http(s). The addresses are still checked at every connect.
   */
  checkUrl(orgId: string, url: string | URL): Promise<void>;
  /** Whether an entry of the org's allow-list names the URL's host itself (no wildcard or range). */
  namesExactly(orgId: string, url: string | URL): Promise<boolean>;
  /** A JSON/HTTP request for the org (webhooks, JWKS, HTTP actions). */
  request(
    orgId: string,
    url: string | URL,
    options?: OutboundRequestOptions,
  ): Promise<OutboundResponse>;
  /**
   * Call after the org's list changed: drops the cached list, closes the org's idle sockets and
   * keeps sockets in flight from returning to the pool, so nothing approved under the old list
   * is reused. Clients keep their handler and agents.
   */
  allowListChanged(orgId: string): void;
  /** Closes every pooled socket (server shutdown). */
  close(): void;
}

interface OrgEntry {
  orgId: string;
  agents: OrgAgents;
  latest: CheckedList | undefined;
  generation: number;
}

function ambientKey({ host, port }: Destination): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The one outbound HTTP layer. Create it once per process and pass it to whatever sends requests. */
export function createOutbound(deps: OutboundDeps): Outbound {
  const resolver = deps.resolver ?? systemResolver;
  // As many as an action run has requests in flight (64), so one endpoint (a VPC endpoint, a
  // proxy, the emulator) never queues a fan-out behind too few sockets.
  const maxSockets = deps.maxSocketsPerHost ?? 64;
  const sdkTimeouts = deps.sdkTimeouts ?? SDK_TIMEOUTS;
  const orgs = new Map<string, OrgEntry>();

  function entryOf(orgId: string): OrgEntry {
    const existing = orgs.get(orgId);
    if (existing !== undefined) return existing;
    const guard: ConnectionGuard = {
      latest: () => entry.latest,
      load: () => load(entry),
      generation: () => entry.generation,
      resolver,
    };
    const options = { keepAlive: true, maxSockets };
    const entry: OrgEntry = {
      orgId,
      agents: {
        http: new GuardedHttpAgent(guard, options),
        https: new GuardedHttpsAgent(guard, options),
      },
      latest: undefined,
      generation: 0,
    };
    orgs.set(orgId, entry);
    return entry;
  }

  async function load(entry: OrgEntry): Promise<CheckedList> {
    const generation = entry.generation;
    const list = await deps.allowLists.get(entry.orgId);
    const checked = { list, generation };
    // A read that raced a change must not become the snapshot of the new generation.
    if (entry.generation === generation) entry.latest = checked;
    return checked;
  }

  /** The front door: the host check, before any request object or socket exists. */
  async function check(orgId: string, destination: Destination): Promise<void> {
    const { list } = await load(entryOf(orgId));
    const refusal = list.checkDestination(destination);
    if (refusal !== undefined) throw outboundRefused(refusal);
  }

  return {
    sdkTimeouts,

    agentsFor: (orgId) => entryOf(orgId).agents,

    checkUrl: async (orgId, url) => check(orgId, destinationOf(outboundUrl(url))),

    async namesExactly(orgId, url) {
      const { list } = await load(entryOf(orgId));
      return list.namesExactly(destinationOf(outboundUrl(url)));
    },

    requestHandler(orgId) {
      const { agents } = entryOf(orgId);
      return new GuardedRequestHandler(
        {
          connectionTimeout: sdkTimeouts.connectMs,
          // socketTimeout is the one that fails the request; requestTimeout only logs a warning.
          socketTimeout: sdkTimeouts.idleMs,
          httpAgent: agents.http,
          httpsAgent: agents.https,
        },
        (destination) => check(orgId, destination),
      );
    },

    async request(orgId, url, options = {}) {
      const target = outboundUrl(url);
      const destination = destinationOf(target);
      if (
        options.allowAmbient === true &&
        target.protocol === "http:" &&
        AMBIENT_ENDPOINTS.includes(ambientKey(destination))
      ) {
        // A fresh socket each time, outside every org's pool: these are literal addresses, so
        // there is no DNS answer to check.
        return sendOutboundRequest(target, new http.Agent({ keepAlive: false }), options);
      }
      await check(orgId, destination);
      const { agents } = entryOf(orgId);
      return sendOutboundRequest(
        target,
        target.protocol === "https:" ? agents.https : agents.http,
        options,
      );
    },

    allowListChanged(orgId) {
      deps.allowLists.invalidate(orgId);
      const entry = orgs.get(orgId);
      if (entry === undefined) return;
      // The agents stay (SDK clients hold them); sockets approved under the old list do not.
      entry.generation += 1;
      entry.latest = undefined;
      entry.agents.http.dropIdleSockets();
      entry.agents.https.dropIdleSockets();
    },

    close() {
      for (const { agents } of orgs.values()) {
        agents.http.destroy();
        agents.https.destroy();
      }
      orgs.clear();
    },
  };
}
