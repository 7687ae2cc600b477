import { AwsError } from "../aws-error.js";
import { collection } from "../world/world.js";
import type { ServiceHandlers } from "./call-context.js";
import { text } from "./input-text.js";

// Cost Explorer's endpoint is in us-east-1 only (ce.us-east-1.amazonaws.com).
const CE_REGION = "us-east-1";
const COST_METRICS = new Set([
  "AmortizedCost",
  "BlendedCost",
  "NetAmortizedCost",
  "NetUnblendedCost",
  "UnblendedCost",
]);
const DAY_MS = 86_400_000;

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

function day(value: unknown, field: string): Date {
  const raw = text(value);
  const date = new Date(`${raw}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(date.getTime()))
    throw invalid(`${field}: expected a date as YYYY-MM-DD, got '${raw}'`);
  return date;
}

function monthStart(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
}

function nextMonth(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
}

const iso = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Cost Explorer's GetCostAndUsage over the account's fixture spend, world key `ce` under `global`:
 * `MonthlyCosts: [{ Month: "2026-11", Services: { "<service name>": "<USD>" } }]`. Periods are
 * calendar months (MONTHLY) or days (DAILY) clipped to [Start, End); a month's spend is spread
 * evenly over its days. Grouping by DIMENSION SERVICE, or none (Total).
 */
export const costExplorerService: ServiceHandlers = {
  async GetCostAndUsage(ctx, input) {
    if (ctx.region !== CE_REGION)
      throw new AwsError(
        "UnknownEndpoint",
        `Cost Explorer has no endpoint in ${ctx.region}: call it in us-east-1`,
        404,
      );
    await ctx.authorize("ce:GetCostAndUsage", "*");
    const period = (input.TimePeriod ?? {}) as Record<string, unknown>;
    const start = day(period.Start, "TimePeriod.Start");
    const end = day(period.End, "TimePeriod.End");
    if (end <= start) throw invalid("Start date (inclusive) must be before end date (exclusive)");
    const granularity = text(input.Granularity);
    if (granularity !== "MONTHLY" && granularity !== "DAILY")
      throw invalid(
        `Granularity ${granularity || "(none)"}: the emulator serves MONTHLY and DAILY`,
      );
    const metrics = ((input.Metrics as unknown[] | undefined) ?? []).map(text);
    if (metrics.length === 0) throw invalid("Metrics must not be empty");
    const unknown = metrics.find((m) => !COST_METRICS.has(m));
    if (unknown !== undefined)
      throw invalid(`Metric ${unknown}: the emulator serves cost metrics only`);
    const groupBy = (input.GroupBy as { Type?: string; Key?: string }[] | undefined) ?? [];
    if (groupBy.some((g) => g.Type !== "DIMENSION" || g.Key !== "SERVICE"))
      throw invalid("GroupBy: the emulator groups by DIMENSION SERVICE only");
    const byService = groupBy.length > 0;

    const months = new Map<string, Record<string, string>>();
    for (const entry of collection(ctx.account, "global", "ce", "MonthlyCosts"))
      months.set(text(entry.Month), (entry.Services ?? {}) as Record<string, string>);

    const results = [];
    for (let from = start; from < end;) {
      const to = new Date(
        Math.min(
          (granularity === "DAILY" ? new Date(from.getTime() + DAY_MS) : nextMonth(from)).getTime(),
          end.getTime(),
        ),
      );
      const month = monthStart(from);
      const share =
        (to.getTime() - from.getTime()) / (nextMonth(month).getTime() - month.getTime());
      const spend = Object.entries(months.get(iso(month).slice(0, 7)) ?? {}).map(
        ([service, usd]) => [service, Number(usd) * share] as const,
      );
      const amounts = (amount: number) =>
        Object.fromEntries(
          metrics.map((m) => [
            m,
            { Amount: String(Math.round(amount * 1e10) / 1e10), Unit: "USD" },
          ]),
        );
      results.push({
        TimePeriod: { Start: iso(from), End: iso(to) },
        Total: byService ? {} : amounts(spend.reduce((sum, [, usd]) => sum + usd, 0)),
        Groups: byService
          ? spend.map(([service, usd]) => ({ Keys: [service], Metrics: amounts(usd) }))
          : [],
        Estimated: to > monthStart(ctx.now()),
      });
      from = to;
    }
    return {
      ...(byService ? { GroupDefinitions: [{ Type: "DIMENSION", Key: "SERVICE" }] } : {}),
      ResultsByTime: results,
      DimensionValueAttributes: [],
    };
  },
};
