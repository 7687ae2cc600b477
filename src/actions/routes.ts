import { PassThrough } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/index.js";
import { Invalid, SwitchboardError } from "../errors.js";
import { decodeCursor, pageOf, pageQuerySchema, toPage } from "../http/pagination.js";
import { contextOf, principalOf } from "../http/route-helpers.js";
import type { ActionDeps } from "./action-deps.js";
import { sdkServiceName } from "./aws-call.js";
import { allActions, describeAction, findAction, iamActionsOf } from "./catalog-info.js";
import { iamActionFor, minimalPolicy } from "./iam/index.js";
import { executeRun, prepareRun, runAction, singleRunError } from "./run-action.js";
import { getRun, listRuns } from "./runs.js";
import {
  actionInfoSchema,
  fanOutResponseSchema,
  minimalPolicyRequestSchema,
  runRequestSchema,
  runSummarySchema,
  singleRunResponseSchema,
  targetResultSchema,
} from "./schemas.js";

const actionParams = z.strictObject({
  id: z
    .string()
    .regex(/^aws\.[A-Za-z0-9.]+$/, "expected an action id such as aws.ec2.describeInstances"),
});

const RUN_CONNECTIONS_SHOWN = 20;

const runItemSchema = z.object({
  id: z.string(),
  actionId: z.string(),
  actor: z.string(),
  status: z.enum(["running", "succeeded", "failed", "partial", "interrupted"]),
  targetCount: z.number(),
  startedAt: z.string(),
  durationMs: z.number().nullable(),
  summary: runSummarySchema.nullable(),
  connections: z
    .array(z.string())
    .describe(`the connections it ran on, by name (the first ${RUN_CONNECTIONS_SHOWN})`),
});

/** The distinct connections of each run, for lists that say where a run went. */
async function connectionsOfRuns(db: Db, runIds: string[]): Promise<Map<string, string[]>> {
  const byRun = new Map<string, string[]>(runIds.map((id) => [id, []]));
  if (runIds.length === 0) return byRun;
  const rows = await db
    .selectFrom("run_targets")
    .select(["run_id", "connection_name"])
    .where("run_id", "in", runIds)
    .groupBy(["run_id", "connection_name"])
    .orderBy("connection_name")
    .execute();
  for (const row of rows) {
    const names = byRun.get(row.run_id);
    if (names !== undefined && names.length < RUN_CONNECTIONS_SHOWN)
      names.push(row.connection_name);
  }
  return byRun;
}

export const actionRoutes: FastifyPluginAsyncZod<{ deps: ActionDeps }> = async (app, { deps }) => {
  app.get(
    "/actions",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["actions"],
        summary: "The action catalog with permissions and access levels",
        response: { 200: z.object({ items: z.array(actionInfoSchema) }) },
      },
    },
    async () => ({ items: await Promise.all(allActions().map(describeAction)) }),
  );

  app.get(
    "/actions/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["actions"],
        summary: "One action",
        params: actionParams,
        response: { 200: actionInfoSchema },
      },
    },
    async (request) => describeAction(findAction(request.params.id)),
  );

  app.post(
    "/actions/:id/run",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["actions"],
        summary:
          "Run an action on one target, or fan it out over connections × regions (?stream=true for NDJSON as targets finish)",
        params: actionParams,
        querystring: z.strictObject({ stream: z.enum(["true", "false"]).default("false") }),
        body: runRequestSchema,
        response: { 200: z.union([singleRunResponseSchema, fanOutResponseSchema]) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const context = contextOf(request);
      if (request.query.stream === "true") {
        // Every check before the first byte, so a refused run gets its status and error body.
        const prepared = await prepareRun(
          deps,
          context,
          principal,
          request.params.id,
          request.body,
        );
        const stream = new PassThrough();
        const write = (line: unknown) => stream.write(`${JSON.stringify(line)}\n`);
        const done = executeRun(deps, context, principal, prepared, {
          onResult: (r) => write({ result: targetResultSchema.parse(r) }),
        });
        done.then(
          (outcome) => {
            write({
              run: { id: outcome.runId, status: outcome.status, durationMs: outcome.durationMs },
              summary: outcome.summary,
            });
            stream.end();
          },
          (error: unknown) => {
            write({
              error: {
                message: error instanceof Error ? error.message : String(error),
                code: (error as { code?: string }).code ?? "INTERNAL",
                status: error instanceof SwitchboardError ? error.status : 500,
                ...(error instanceof SwitchboardError && error.field !== undefined
                  ? { field: error.field }
                  : {}),
              },
            });
            stream.end();
          },
        );
        // A stream is sent as it is: fastify skips the response schema for it.
        return reply.type("application/x-ndjson").send(stream as never);
      }
      const outcome = await runAction(deps, context, principal, request.params.id, request.body);
      const run = { id: outcome.runId, status: outcome.status, durationMs: outcome.durationMs };
      if (outcome.single) {
        const result = outcome.results[0];
        if (result === undefined || result.status !== "succeeded")
          throw singleRunError(
            result ?? {
              connection: "",
              accountId: null,
              region: "",
              status: "failed",
              durationMs: 0,
            },
          );
        return {
          run,
          output: result.output,
          ...(result.outputTruncated === true ? { outputTruncated: true } : {}),
          ...(result.awsSession === undefined ? {} : { awsSession: result.awsSession }),
        };
      }
      return { run, summary: outcome.summary, results: outcome.results };
    },
  );

  app.get(
    "/runs",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["actions"],
        summary: "Runs, newest first (admins: all; members: their own)",
        querystring: pageQuerySchema,
        response: { 200: pageOf(runItemSchema) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listRuns(deps.db, principalOf(request), {
        limit,
        beforeId: decodeCursor(cursor),
      });
      const connections = await connectionsOfRuns(
        deps.db,
        rows.map((r) => r.id),
      );
      return toPage(
        rows.map((r) => ({ ...r, connections: connections.get(r.id) ?? [] })),
        limit,
        (r) => r.id,
      );
    },
  );

  app.get(
    "/runs/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["actions"],
        summary: "One run with each target's result",
        params: z.strictObject({ id: z.uuid() }),
        response: {
          200: runItemSchema.extend({
            input: z.unknown().describe("the input it ran with (secrets redacted)"),
            results: z.array(targetResultSchema),
          }),
        },
      },
    },
    async (request) => {
      const run = await getRun(deps.db, principalOf(request), request.params.id);
      const stored = await deps.db
        .selectFrom("runs")
        .select("input")
        .where("id", "=", run.id)
        .executeTakeFirst();
      const connections = await connectionsOfRuns(deps.db, [run.id]);
      return {
        ...run,
        connections: connections.get(run.id) ?? [],
        input: stored === undefined ? null : (JSON.parse(stored.input) as unknown),
      };
    },
  );

  app.post(
    "/policies/minimal",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["actions"],
        summary: "The least-privilege IAM policy for a set of actions",
        body: minimalPolicyRequestSchema,
        response: {
          200: z.object({
            Version: z.literal("2012-10-17"),
            Statement: z.array(z.record(z.string(), z.unknown())),
          }),
        },
      },
    },
    async (request) => {
      const iamActions = request.body.actions.flatMap((entry, index) => {
        if (entry === "aws.call") {
          // Its permission depends on the operation called.
          throw new Invalid(
            'aws.call needs the permission of the operation it calls: give {"service": "ec2", "operation": "DescribeInstances"} instead',
            { field: `actions.${index}` },
          );
        }
        try {
          return typeof entry === "string"
            ? iamActionsOf(findAction(entry), undefined)
            : [iamActionFor(sdkServiceName(entry.service), entry.operation)];
        } catch (error) {
          throw new Invalid(error instanceof Error ? error.message : String(error), {
            field: `actions.${index}`,
          });
        }
      });
      return minimalPolicy(iamActions);
    },
  );
};
