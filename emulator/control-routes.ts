import type { EmulatorParts } from "./emulator-parts.js";
import { resetCounters } from "./knobs/counters.js";
import { organizationRoute } from "./organization-routes.js";
import type { WireResponse } from "./protocols/wire-response.js";
import { resourceStateRoute } from "./resource-state-routes.js";

/**
 * The unauthenticated `/_emulator/*` routes tests and benchmarks read counters from, and that turn
 * the notAws fault on and off in an emulator running in another process (the demo, the CLI's).
 */
export function controlRoute(
  parts: EmulatorParts,
  method: string,
  path: string,
  query: URLSearchParams = new URLSearchParams(),
  body: Buffer = Buffer.alloc(0),
): WireResponse | undefined {
  const organization = organizationRoute(parts, method, path, body);
  if (organization !== undefined) return organization;
  const resourceState = resourceStateRoute(parts, method, path, query);
  if (resourceState !== undefined) return resourceState;
  if (path === "/_emulator/calls" && method === "GET")
    return {
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        ...parts.counters,
        policyEvaluations: parts.authorizer.stats,
        // The whole process's CPU time: benchmarks divide calls by it for a per-core figure.
        processCpuMicros: process.cpuUsage(),
      }),
    };
  if (path === "/_emulator/reset" && method === "POST") {
    // Open keep-alive connections stay open; only new ones count after a reset.
    resetCounters(parts.counters);
    parts.buckets.clear();
    return { status: 204, headers: {}, body: "" };
  }
  if (path === "/_emulator/revoke-sessions" && method === "POST") {
    const roleArn = query.get("roleArn") ?? undefined;
    return {
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ revoked: parts.sessions.revoke(roleArn) }),
    };
  }
  if (path === "/_emulator/knobs/not-aws" && method === "PUT") {
    const [status, contentType, body, services] = ["status", "contentType", "body", "services"].map(
      (name) => query.get(name),
    );
    if (status != null && !/^[2-5]\d\d$/.test(status))
      return { status: 400, headers: {}, body: "status must be an HTTP status code, 200 to 599" };
    parts.knobs.notAws = {
      ...(status == null ? {} : { status: Number(status) }),
      ...(contentType == null ? {} : { contentType }),
      ...(body == null ? {} : { body }),
      ...(services == null ? {} : { services: services.split(",") }),
    };
    return { status: 204, headers: {}, body: "" };
  }
  if (path === "/_emulator/knobs/not-aws" && method === "DELETE") {
    parts.knobs.notAws = undefined;
    return { status: 204, headers: {}, body: "" };
  }
  return undefined;
}
