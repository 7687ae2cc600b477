import { CostExplorerClient, GetCostAndUsageCommand } from "@aws-sdk/client-cost-explorer";
import type { Principal } from "../access/index.js";
import { accessCheckOf, type ActionDefinition } from "../actions/index.js";
import { visibleConnection, type Actor } from "../connections/index.js";
import type { EngineDeps } from "../engine/index.js";
import { runTarget, type Limiter } from "../fan-out/index.js";

export interface CostActuals {
  /** The month, YYYY-MM. */
  month: string;
  services: { service: string; usd: number }[];
  totalUsd: number;
}

export type ActualsOutcome = CostActuals | { error: { code: string; message: string } };

const monthStart = (date: Date, offset = 0) =>
  new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + offset, 1));
const day = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Last month's actual cost per service from Cost Explorer (ce:GetCostAndUsage, answered in
 * us-east-1) through a connection, where its access setting allows it and the caller may execute
 * it; an error (refused, not allowed) is returned, not thrown, so the estimate still shows.
 */
export async function costActuals(
  deps: EngineDeps,
  principal: Principal,
  actor: Actor,
  connectionName: string,
  signal: AbortSignal,
  /** The live calls' limiter per (connection, region, service) of this process. */
  limiter: Limiter,
): Promise<ActualsOutcome> {
  const visible = await visibleConnection(deps.db, principal, connectionName).catch(
    () => undefined,
  );
  if (visible === undefined || !visible.roles.includes("executor"))
    return {
      error: {
        code: "FORBIDDEN",
        message: `you need the executor role on connection ${connectionName} for Cost Explorer`,
      },
    };
  const now = deps.clock.now();
  const from = monthStart(now, -1);
  const to = monthStart(now);
  const action: ActionDefinition = {
    id: "inventory.costActuals",
    title: "Cost Explorer actuals",
    description: "ce:GetCostAndUsage of last month, by service",
    sdkService: "cost-explorer",
    operations: ["GetCostAndUsage"],
    input: {} as never,
    output: "costs",
    run: async (context) => {
      const client = context.client(CostExplorerClient);
      const services = new Map<string, number>();
      let token: string | undefined;
      do {
        const page = await client.send(
          new GetCostAndUsageCommand({
            TimePeriod: { Start: day(from), End: day(to) },
            Granularity: "MONTHLY",
            Metrics: ["UnblendedCost"],
            GroupBy: [{ Type: "DIMENSION", Key: "SERVICE" }],
            NextPageToken: token,
          }),
        );
        for (const result of page.ResultsByTime ?? [])
          for (const group of result.Groups ?? []) {
            const name = group.Keys?.[0] ?? "";
            const amount = Number(group.Metrics?.UnblendedCost?.Amount ?? 0);
            services.set(name, (services.get(name) ?? 0) + amount);
          }
        token = page.NextPageToken;
      } while (token !== undefined && token !== "");
      return [...services].map(([service, usd]) => ({ service, usd: Math.round(usd * 100) / 100 }));
    },
  };
  const outcome = await runTarget(
    deps,
    { name: visible.connection.name, connection: visible.connection, region: "us-east-1" },
    {
      action,
      input: {},
      access: accessCheckOf(["ce:GetCostAndUsage"]),
      storeOutput: (output) => ({ shown: output, truncated: false, bytes: 0, stored: "" }),
      actor,
      request: { maxItems: undefined, pageSize: undefined },
      signal,
      limiter,
    },
  );
  if (outcome.result.status !== "succeeded")
    return {
      error: outcome.result.error ?? { code: "FAILED", message: "GetCostAndUsage failed" },
    };
  const services = (outcome.result.output as CostActuals["services"]).sort((a, b) => b.usd - a.usd);
  return {
    month: day(from).slice(0, 7),
    services,
    totalUsd: Math.round(services.reduce((sum, s) => sum + s.usd, 0) * 100) / 100,
  };
}
