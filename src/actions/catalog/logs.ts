import {
  CloudWatchLogsClient,
  DescribeQueryDefinitionsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  type ResultField,
} from "@aws-sdk/client-cloudwatch-logs";
import { z } from "zod";
import { Invalid, Upstream } from "../../errors.js";
import { defineAction, type ActionContext } from "../action-definition.js";

const window = {
  startTime: z.iso.datetime({ offset: true }).optional().describe("default: one hour ago"),
  endTime: z.iso.datetime({ offset: true }).optional().describe("default: now"),
  limit: z.number().int().min(1).max(10_000).optional(),
  timeoutSeconds: z.number().int().min(1).max(900).default(60),
  pollIntervalMs: z.number().int().min(100).max(10_000).default(1000),
};

/** A window whose start is after its end is refused with the run request, before any call. */
function startBeforeEnd(input: { startTime?: string | undefined; endTime?: string | undefined }) {
  return (
    input.startTime === undefined ||
    input.endTime === undefined ||
    Date.parse(input.startTime) <= Date.parse(input.endTime)
  );
}
const START_AFTER_END = { message: "startTime is after endTime", path: ["startTime"] };

interface QueryRun {
  logGroupNames: string[];
  queryString: string;
  startTime?: string | undefined;
  endTime?: string | undefined;
  limit?: number | undefined;
  timeoutSeconds: number;
  pollIntervalMs: number;
}

/** StartQuery, then GetQueryResults until the query is Complete (or fails, or the timeout passes). */
async function runQuery(ctx: ActionContext, q: QueryRun) {
  const end = q.endTime === undefined ? Date.now() : Date.parse(q.endTime);
  const start = q.startTime === undefined ? end - 3600_000 : Date.parse(q.startTime);
  // Only a startTime in the future gets here (startBeforeEnd refused the given pair).
  if (start > end)
    throw new Invalid(`startTime ${q.startTime ?? ""} is after endTime (now)`, {
      field: "startTime",
    });
  const client = ctx.client(CloudWatchLogsClient);
  const { queryId } = await client.send(
    new StartQueryCommand({
      logGroupNames: q.logGroupNames,
      queryString: q.queryString,
      startTime: Math.floor(start / 1000),
      endTime: Math.floor(end / 1000),
      ...(q.limit === undefined ? {} : { limit: q.limit }),
    }),
  );
  const deadline = Date.now() + q.timeoutSeconds * 1000;
  let polls = 0;
  for (;;) {
    const result = await client.send(new GetQueryResultsCommand({ queryId }));
    polls += 1;
    if (result.status === "Complete") {
      const rows = (result.results ?? []).map((row: ResultField[]) =>
        Object.fromEntries(
          row.filter((f) => f.field !== "@ptr").map((f) => [f.field ?? "", f.value ?? null]),
        ),
      );
      return { queryId, status: result.status, statistics: result.statistics, rows, polls };
    }
    if (
      result.status === "Failed" ||
      result.status === "Cancelled" ||
      result.status === "Timeout"
    ) {
      throw new Upstream(`Logs Insights query ${queryId} ended ${result.status}`, {
        code: "AWS_ERROR",
      });
    }
    if (Date.now() + q.pollIntervalMs > deadline) {
      throw new Upstream(
        `Logs Insights query ${queryId} was still ${result.status ?? "running"} after ${q.timeoutSeconds} s`,
        {
          code: "AWS_ERROR",
        },
      );
    }
    await ctx.sleep(q.pollIntervalMs);
  }
}

export const logsActions = [
  defineAction({
    id: "aws.logs.describeQueryDefinitions",
    title: "List saved Logs Insights queries",
    description: "Saved query definitions, optionally by name prefix.",
    sdkService: "cloudwatch-logs",
    operations: ["DescribeQueryDefinitions"],
    input: z.strictObject({
      queryDefinitionNamePrefix: z.string().min(1).optional(),
      maxItems: z.number().int().positive().optional(),
    }),
    output: "{ queryDefinitions: [{ name, queryString, logGroupNames }] }",
    async run(ctx, { maxItems, ...input }) {
      // The SDK has no paginator for this operation: follow nextToken by hand.
      const client = ctx.client(CloudWatchLogsClient);
      const definitions = [];
      const max = maxItems ?? ctx.maxItems;
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new DescribeQueryDefinitionsCommand({
            ...input,
            ...(nextToken === undefined ? {} : { nextToken }),
          }),
        );
        definitions.push(...(page.queryDefinitions ?? []));
        nextToken = page.nextToken;
      } while (nextToken !== undefined && (max === undefined || definitions.length < max));
      return { queryDefinitions: max === undefined ? definitions : definitions.slice(0, max) };
    },
  }),
  defineAction({
    id: "aws.logs.runQuery",
    title: "Run a Logs Insights query",
    description: "Starts a query and polls until it completes; returns the rows.",
    sdkService: "cloudwatch-logs",
    operations: ["StartQuery", "GetQueryResults"],
    input: z
      .strictObject({
        logGroupNames: z.array(z.string().min(1)).min(1).max(50),
        queryString: z.string().min(1).max(10_000),
        ...window,
      })
      .refine(startBeforeEnd, START_AFTER_END),
    output: "{ queryId, status, statistics, rows: [{ field: value }], polls }",
    run: (ctx, input) => runQuery(ctx, input),
  }),
  defineAction({
    id: "aws.logs.runSavedQuery",
    title: "Run a saved Logs Insights query",
    description: "Finds a saved query by name and runs it on its log groups.",
    sdkService: "cloudwatch-logs",
    operations: ["DescribeQueryDefinitions", "StartQuery", "GetQueryResults"],
    input: z
      .strictObject({ name: z.string().min(1).max(255), ...window })
      .refine(startBeforeEnd, START_AFTER_END),
    output: "{ queryId, status, statistics, rows, polls }",
    async run(ctx, { name, ...rest }) {
      const client = ctx.client(CloudWatchLogsClient);
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new DescribeQueryDefinitionsCommand({
            queryDefinitionNamePrefix: name,
            ...(nextToken === undefined ? {} : { nextToken }),
          }),
        );
        const found = page.queryDefinitions?.find((d) => d.name === name);
        if (found !== undefined) {
          return runQuery(ctx, {
            ...rest,
            logGroupNames: found.logGroupNames ?? [],
            queryString: found.queryString ?? "",
          });
        }
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      throw new Invalid(
        `no saved Logs Insights query is named ${name} in this account and region`,
        { field: "name" },
      );
    },
  }),
];
