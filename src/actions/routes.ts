import { PassThrough } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { Invalid } from "../errors.js";
import { decodeCursor, pageOf, pageQuerySchema, toPage } from "../http/pagination.js";
import { contextOf, principalOf } from "../http/route-helpers.js";
import type { ActionDeps } from "./action-deps.js";
import { sdkServiceName } from "./aws-call.js";
import { allActions, describeAction, findAction, iamActionsOf } from "./catalog-info.js";
import { iamActionFor, minimalPolicy } from "./iam/index.js";
import { runAction, singleRunError } from "./run-action.js";
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

const runItemSchema = z.object({
  id: z.string(),
  actionId: z.string(),
  actor: z.string(),
  status: z.enum(["running", "succeeded", "failed", "partial"]),
  targetCount: z.number(),
  startedAt: z.string(),
  durationMs: z.number().nullable(),
  summary: runSummarySchema.nullable(),
});

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
        // Validate and resolve targets before the first byte, so errors keep the error body.
        findAction(request.params.id);
        const stream = new PassThrough();
        const write = (line: unknown) => stream.write(`${JSON.stringify(line)}\n`);
        const done = runAction(deps, context, principal, request.params.id, request.body, {
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
      return toPage(rows, limit, (r) => r.id);
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
        response: { 200: runItemSchema.extend({ results: z.array(targetResultSchema) }) },
      },
    },
    async (request) => getRun(deps.db, principalOf(request), request.params.id),
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
