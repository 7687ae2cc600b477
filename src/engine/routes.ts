import { PassThrough } from "node:stream";
import type { FastifyPluginAsyncZod, ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  describePlan,
  fanOutResponseSchema,
  planRun,
  planTargets,
  prepareRun,
  recordedPlanOf,
  redact,
  runPlanSchema,
  runRequestSchema,
  singleRunError,
  singleRunResponseSchema,
  targetResultSchema,
} from "../actions/index.js";
import { Invalid, SwitchboardError } from "../errors.js";
import { encodeCursor, decodeCursor, pageOf } from "../http/pagination.js";
import { contextOf, principalOf } from "../http/route-helpers.js";
import {
  decisionRequestSchema,
  getRunDetail,
  listRunTargets,
  listRuns,
  runDetailSchema,
  runItemSchema,
  runListQuerySchema,
  targetPageQuerySchema,
  targetResultSchema as runTargetSchema,
} from "../runs/index.js";
import {
  findWorkflow,
  requireStarter,
  startRunRequestSchema,
  startRunResponseSchema,
  workflowNameSchema,
} from "../workflows/index.js";
import type { Engine } from "./engine.js";
import { actionPlanOf, actionStepPlan } from "./action-step-plan.js";
import { runSingleAction } from "./run-single-action.js";
import { cancelRun, decideApproval, redriveRun } from "./run-controls.js";
import { startRun } from "./start-run.js";
import { startWorkflowRun } from "./start-workflow-run.js";
import { receiveWebhook } from "./triggers.js";
import { runOutcome, waitForRun } from "./wait-for-run.js";

const actionParams = z.strictObject({
  id: z
    .string()
    .regex(/^aws\.[A-Za-z0-9.]+$/, "expected an action id such as aws.ec2.describeInstances"),
});
const runParams = z.strictObject({ id: z.uuid() });

/** Routes that start and steer runs: single actions, workflow runs, webhooks, and the run history. */
export const engineRoutes: FastifyPluginAsyncZod<{ engine: Engine }> = async (app, { engine }) => {
  const deps = engine.deps;

  app.post(
    "/actions/:id/plan",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["actions"],
        summary:
          "What a run with this body would do, without calling AWS: its targets (connection, account, region) and which are refused or skipped and why, its IAM actions and access level, and whether it is a write (ask before running it)",
        params: actionParams,
        body: runRequestSchema,
        response: { 200: runPlanSchema },
      },
    },
    async (request) => planRun(deps, principalOf(request), request.params.id, request.body),
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
      // Every check before the run exists: a refused run is an error body, not a run.
      const prepared = await prepareRun(deps, context, principal, request.params.id, request.body);
      // The API runs as asked (automation), and keeps the plan it ran on with the run.
      const plan = await describePlan(
        prepared,
        request.body,
        await planTargets(prepared, prepared.targets),
      );
      const spec = {
        kind: "action" as const,
        actor: context.actor,
        runAs: principal,
        trigger: "api" as const,
        actionId: prepared.action.id,
        steps: [actionStepPlan(prepared.action.id, request.body, recordedPlanOf(plan))],
        input: prepared.input,
        inputShown: redact(prepared.input, prepared.redaction.input),
        firstStep: {
          targets: prepared.targets,
          action: await actionPlanOf(prepared, {
            perTargetInput: false,
            maxItems: request.body.maxItems,
            pageSize: request.body.pageSize,
          }),
        },
      };
      // One target, no stream: run it in this request when this process may claim its job.
      const inline =
        prepared.single && request.query.stream !== "true"
          ? await runSingleAction(deps, context, spec, prepared)
          : undefined;
      const started = inline ?? (await startRun(deps, context, spec));
      if (request.query.stream === "true") {
        const stream = new PassThrough();
        const write = (line: unknown) => stream.write(`${JSON.stringify(line)}\n`);
        waitForRun(deps, started.runId, (r) => write({ result: targetResultSchema.parse(r) })).then(
          async () => {
            const outcome = await runOutcome(deps, started.runId);
            write({
              run: { id: outcome.id, status: outcome.status, durationMs: outcome.durationMs },
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
              },
            });
            stream.end();
          },
        );
        return reply.type("application/x-ndjson").send(stream as never);
      }
      let outcome = inline?.outcome;
      if (outcome === undefined) {
        await waitForRun(deps, started.runId);
        outcome = await runOutcome(deps, started.runId);
      }
      const run = { id: outcome.id, status: outcome.status, durationMs: outcome.durationMs };
      if (prepared.single) {
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
        tags: ["runs"],
        summary: "Runs of actions and workflows, newest first (admins: all; members: their own)",
        querystring: runListQuerySchema,
        response: { 200: pageOf(runItemSchema) },
      },
    },
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      const rows = await listRuns(deps.db, principalOf(request), filters, {
        limit,
        beforeId: decodeCursor(cursor),
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return {
        items,
        nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.id) : null,
      };
    },
  );

  app.get(
    "/runs/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["runs"],
        summary: "One run with its steps (a single action's targets as results)",
        params: runParams,
        response: { 200: runDetailSchema },
      },
    },
    async (request) => getRunDetail(deps.db, principalOf(request), request.params.id),
  );

  app.get(
    "/runs/:id/targets",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["runs"],
        summary:
          "A run's targets, paged (of one step, of one status), each with its earlier attempts",
        params: runParams,
        querystring: targetPageQuerySchema,
        response: { 200: pageOf(runTargetSchema) },
      },
    },
    async (request) => {
      const { limit, cursor, step, status } = request.query;
      const after = decodeCursor(cursor);
      // A cursor of another list decodes too: an index that is not one is refused here, not
      // sent to the database (PostgreSQL fails on NaN, SQLite quietly answers nothing).
      if (after !== undefined && !/^\d{1,15}$/.test(after)) {
        throw new Invalid(
          "cursor is not one this server issued for a run's targets; pass the nextCursor of the previous page",
          { field: "cursor" },
        );
      }
      const rows = await listRunTargets(
        deps.db,
        principalOf(request),
        request.params.id,
        { step, status },
        { limit, afterIdx: after === undefined ? undefined : Number(after) },
      );
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return {
        items,
        nextCursor:
          rows.length > limit && last !== undefined ? encodeCursor(String(last.idx)) : null,
      };
    },
  );

  app.post(
    "/runs/:id/cancel",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["runs"],
        summary: "Cancel a run: what has not started never will; calls in flight are aborted",
        params: runParams,
        response: { 202: z.object({ id: z.string() }) },
      },
    },
    async (request, reply) => {
      await cancelRun(deps, contextOf(request), principalOf(request), request.params.id);
      return reply.code(202).send({ id: request.params.id });
    },
  );

  app.post(
    "/runs/:id/redrive",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["runs"],
        summary: "Run a failed run's failed steps and targets again, in the same run",
        params: runParams,
        response: { 202: z.object({ id: z.string(), targets: z.number(), steps: z.number() }) },
      },
    },
    async (request, reply) => {
      const again = await redriveRun(
        deps,
        contextOf(request),
        principalOf(request),
        request.params.id,
      );
      return reply.code(202).send({ id: request.params.id, ...again });
    },
  );

  for (const verb of ["approve", "decline"] as const) {
    app.post(
      `/runs/:id/${verb}`,
      {
        config: { access: "authenticated" },
        schema: {
          tags: ["runs"],
          summary: `${verb === "approve" ? "Approve" : "Decline"} a run's waiting approval step`,
          params: runParams,
          body: decisionRequestSchema,
          response: { 200: z.object({ id: z.string(), step: z.string().optional() }) },
        },
      },
      async (request) => {
        await decideApproval(deps, contextOf(request), principalOf(request), request.params.id, {
          approve: verb === "approve",
          step: request.body.step,
          reason: request.body.reason,
        });
        return {
          id: request.params.id,
          ...(request.body.step === undefined ? {} : { step: request.body.step }),
        };
      },
    );
  }

  app.post(
    "/workflows/:name/runs",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["workflows"],
        summary: "Start a run of the workflow's current version; answers at once with its id",
        params: z.strictObject({ name: workflowNameSchema }),
        body: startRunRequestSchema,
        response: { 202: startRunResponseSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const workflow = await findWorkflow(deps.db, principal.orgId, request.params.name);
      await requireStarter(deps.db, principal, workflow);
      const run = await startWorkflowRun(deps, contextOf(request), {
        workflow,
        starter: principal,
        trigger: "manual",
        inputs: request.body.inputs,
      });
      return reply.code(202).send(run);
    },
  );

  // The webhook reads its body as bytes: the signature is over the exact bytes sent.
  await app.register(async (scope) => {
    const hooks = scope.withTypeProvider<ZodTypeProvider>();
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser(
      "*",
      { parseAs: "buffer", bodyLimit: 1024 * 1024 },
      (_req, body, done) => {
        done(null, body);
      },
    );
    hooks.post(
      "/hooks/:org/:name",
      {
        config: { access: "public" },
        schema: {
          tags: ["workflows"],
          summary:
            "A workflow's webhook: X-Switchboard-Timestamp (unix seconds) and X-Switchboard-Signature (sha256=HMAC-SHA256 of TIMESTAMP.BODY with its secret, hex)",
          params: z.strictObject({ org: z.string().max(63), name: workflowNameSchema }),
          response: { 202: startRunResponseSchema },
        },
      },
      async (request, reply) => {
        const header = (name: string) => {
          const value = request.headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        const run = await receiveWebhook(deps, {
          org: request.params.org,
          workflow: request.params.name,
          timestamp: header("x-switchboard-timestamp"),
          signature: header("x-switchboard-signature"),
          body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          sourceIp: request.ip,
          requestId: request.id,
        });
        return reply.code(202).send(run);
      },
    );
  });
};
