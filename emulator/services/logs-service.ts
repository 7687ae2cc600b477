import { randomUUID } from "node:crypto";
import { AwsError } from "../aws-error.js";
import { collection } from "../world/world.js";
import type { CallContext, ServiceHandlers } from "./call-context.js";
import { pagedOutput, worldItems } from "./generic-read.js";
import { text } from "./input-text.js";
import { insightsQueryError } from "./logs-query-syntax.js";

type RunningQuery = { accountId: string; region: string; logGroupNames: string[]; polls: number };

function queries(ctx: CallContext): Map<string, RunningQuery> {
  let map = ctx.state.get("logs:queries") as Map<string, RunningQuery> | undefined;
  if (map === undefined) {
    map = new Map();
    ctx.state.set("logs:queries", map);
  }
  return map;
}

type Row = { field: string; value: string }[];

// Query results are world data keyed by log group: `logs.queryResults: { "<group>": [rows] }`.
function resultRows(ctx: CallContext, logGroupNames: string[]): Row[] {
  const byGroup = (ctx.account.resources[ctx.region]?.logs?.queryResults ?? {}) as Record<
    string,
    Row[]
  >;
  return logGroupNames.flatMap((name) => byGroup[name] ?? []);
}

export const logsService: ServiceHandlers = {
  async DescribeQueryDefinitions(ctx, input) {
    await ctx.authorize("logs:DescribeQueryDefinitions", "*");
    const prefix =
      typeof input.queryDefinitionNamePrefix === "string" ? input.queryDefinitionNamePrefix : "";
    const definitions = worldItems(ctx, "queryDefinitions").filter((d) =>
      text(d.name).startsWith(prefix),
    );
    return pagedOutput(ctx, input, "queryDefinitions", definitions);
  },

  async StartQuery(ctx, input) {
    const names = [
      ...(typeof input.logGroupName === "string" ? [input.logGroupName] : []),
      ...((input.logGroupNames as string[] | undefined) ?? []),
      ...((input.logGroupIdentifiers as string[] | undefined) ?? []).map((g) =>
        g.replace(/^arn:.*:log-group:/, "").replace(/:\*$/, ""),
      ),
    ];
    if (names.length === 0)
      throw new AwsError(
        "InvalidParameterException",
        "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be specified",
        400,
      );
    for (const name of names)
      await ctx.authorize(
        "logs:StartQuery",
        `arn:aws:logs:${ctx.region}:${ctx.account.id}:log-group:${name}:*`,
      );
    const startTime = Number(input.startTime);
    const endTime = Number(input.endTime);
    if (endTime < startTime)
      throw new AwsError(
        "InvalidParameterException",
        `endTime (${endTime}) must not be before startTime (${startTime})`,
        400,
      );
    const compileError = insightsQueryError(text(input.queryString));
    if (compileError !== undefined)
      throw new AwsError("MalformedQueryException", compileError.message, 400, "Sender", {
        members: {
          queryCompileError: {
            location: {
              startCharOffset: compileError.startCharOffset,
              endCharOffset: compileError.endCharOffset,
            },
            message: compileError.message,
          },
        },
      });
    const groups = collection(ctx.account, ctx.region, "logs", "logGroups");
    const missing = names.find((n) => !groups.some((g) => g.logGroupName === n));
    if (missing !== undefined)
      throw new AwsError(
        "ResourceNotFoundException",
        `Log group '${missing}' does not exist for account ID '${ctx.account.id}'`,
        400,
      );
    const queryId = randomUUID();
    queries(ctx).set(queryId, {
      accountId: ctx.account.id,
      region: ctx.region,
      logGroupNames: names,
      polls: 0,
    });
    return { queryId };
  },

  async GetQueryResults(ctx, input) {
    await ctx.authorize("logs:GetQueryResults", "*");
    const query = queries(ctx).get(text(input.queryId));
    if (query === undefined || query.accountId !== ctx.account.id || query.region !== ctx.region)
      throw new AwsError("ResourceNotFoundException", "Query does not exist.", 400);
    query.polls++;
    if (query.polls <= ctx.knobs.queryPolls)
      return {
        status: "Running",
        results: [],
        statistics: { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 },
      };
    const rows = resultRows(ctx, query.logGroupNames);
    return {
      status: "Complete",
      results: rows,
      statistics: {
        recordsMatched: rows.length,
        recordsScanned: rows.length,
        bytesScanned: JSON.stringify(rows).length,
      },
    };
  },
};
