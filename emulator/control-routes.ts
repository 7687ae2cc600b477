import type { EmulatorParts } from "./emulator-parts.js";
import { resetCounters } from "./knobs/counters.js";
import type { WireResponse } from "./protocols/wire-response.js";

/** The unauthenticated `/_emulator/*` routes tests and benchmarks read counters from. */
export function controlRoute(
  parts: EmulatorParts,
  method: string,
  path: string,
  query: URLSearchParams = new URLSearchParams(),
): WireResponse | undefined {
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
  return undefined;
}
