import { PassThrough } from "node:stream";
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { recordAuditEvent } from "../audit/index.js";
import { actorOfRequest } from "../connections/index.js";
import { MAX_PER_BUCKET, type Engine } from "../engine/index.js";
import { forManyCalls, KeyedSemaphore } from "../fan-out/index.js";
import { pageOf } from "../http/pagination.js";
import { contextOf, principalOf } from "../http/route-helpers.js";
import { budgetCsv, estimateBudget } from "./budget.js";
import { fetchAttributes } from "./fetch-attributes.js";
import { buildGraph } from "./graph.js";
import { createView, deleteView, getView, listViews, updateView } from "./views.js";
import { importPrices, refreshPrices } from "./prices.js";
import { listChanges } from "./list-changes.js";
import { listResources } from "./list-resources.js";
import { RESOURCE_TYPES } from "./resource-types.js";
import {
  attributesRequestSchema,
  budgetRequestSchema,
  type BudgetRequest,
  budgetSchema,
  graphRequestSchema,
  graphSchema,
  priceImportResponseSchema,
  priceRefreshRequestSchema,
  priceRefreshResponseSchema,
  scheduleNameSchema,
  scheduleRequestSchema,
  scheduleSchema,
  resourcePageSchema,
  resourceQuerySchema,
  resourceTypeInfoSchema,
  syncRequestSchema,
  syncResponseSchema,
  timelinePageSchema,
  timelineQuerySchema,
  viewIdSchema,
  viewListQuerySchema,
  viewRequestSchema,
  viewSchema,
  viewSummarySchema,
} from "./schemas.js";
import { startSync } from "./start-sync.js";
import { deleteSyncSchedule, listSyncSchedules, saveSyncSchedule } from "./sync-schedules.js";
import { z } from "zod";

// A view holds up to 5,000 collapsed ids and 5,000 pinned positions: well under a mebibyte.
const VIEW_BODY_LIMIT = 1024 * 1024;

// The whole body is parsed in memory (a JSON document takes several times its size once parsed),
// so an import is capped at 64 MiB, as much as one request may make the server hold. AWS's
// per-region EC2 offer file is far larger (hundreds of MiB: Reserved terms, every OS, tenancy and
// capacity status); narrow it first to its On-Demand terms and the products a budget matches
// (docs/inventory.md shows a jq line), which leaves a few MiB per region.
export const PRICE_IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

/** The inventory's routes: syncs (runs on the engine), what is stored, the timeline, live attributes. */
export const inventoryRoutes: FastifyPluginAsyncZod<{ engine: Engine }> = async (
  app,
  { engine },
) => {
  const deps = engine.deps;
  // Live AWS calls made for viewers (attributes, budgets, Cost Explorer) wait here per
  // (connection, region, service): at most MAX_PER_BUCKET at once in this process, as many as the
  // engine's queue lets a sync or an action have in flight per bucket. They are not counted with
  // the engine's jobs (that bound is the queue's group concurrency, across workers).
  const liveLimiter = new KeyedSemaphore(MAX_PER_BUCKET);

  app.get(
    "/inventory/types",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["inventory"],
        summary: "The resource types a sync lists, with the IAM actions each needs",
        response: { 200: z.object({ items: z.array(resourceTypeInfoSchema) }) },
      },
    },
    () => ({
      items: RESOURCE_TYPES.map((t) => ({
        type: t.type,
        title: t.title,
        global: t.global,
        iamActions: t.iamActions,
      })),
    }),
  );

  app.post(
    "/inventory/syncs",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["inventory"],
        summary:
          "Sync the inventory of connections × regions: a run on the engine (GET /runs/ID for its progress)",
        body: syncRequestSchema,
        response: { 202: syncResponseSchema },
      },
    },
    async (request, reply) => {
      const started = await startSync(deps, contextOf(request), principalOf(request), request.body);
      return reply.code(202).send(started);
    },
  );

  app.get(
    "/inventory/resources",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["inventory"],
        summary:
          "What the inventory holds for a connection: ARNs, types, parents, edges, first and last seen",
        querystring: resourceQuerySchema,
        response: { 200: resourcePageSchema },
      },
    },
    (request) =>
      listResources(deps.db, principalOf(request), {
        ...request.query,
        gone: request.query.gone === "true",
      }),
  );

  app.post(
    "/inventory/graph",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["inventory"],
        summary:
          "The diagram's picture of a selection: stored resources (ARNs, parents, edges) of the connections you may see, accounts with their organization health, stale scopes; no attribute",
        body: graphRequestSchema,
        response: { 200: graphSchema },
      },
    },
    (request) => buildGraph(deps, principalOf(request), request.body),
  );

  app.get(
    "/inventory/views",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["inventory"],
        summary:
          "Saved views of the diagram, a page at a time: yours, and those shared with a team you are in; without their collapsed ids and pinned positions (GET /inventory/views/ID)",
        querystring: viewListQuerySchema,
        response: { 200: pageOf(viewSummarySchema) },
      },
    },
    (request) => listViews(deps, principalOf(request), request.query),
  );

  app.get(
    "/inventory/views/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["inventory"],
        summary:
          "One saved view (yours or your team's) with its collapsed ids and pinned positions",
        params: viewIdSchema,
        response: { 200: viewSchema },
      },
    },
    (request) => getView(deps, principalOf(request), request.params.id),
  );

  app.post(
    "/inventory/views",
    {
      config: { access: "authenticated" },
      bodyLimit: VIEW_BODY_LIMIT,
      schema: {
        tags: ["inventory"],
        summary:
          "Save a view: selection, collapsed groups, pinned positions; private, or shared with a team you are in",
        body: viewRequestSchema,
        response: { 201: viewSchema },
      },
    },
    async (request, reply) => {
      const view = await createView(deps, contextOf(request), principalOf(request), request.body);
      return reply.code(201).send(view);
    },
  );

  app.put(
    "/inventory/views/:id",
    {
      config: { access: "authenticated" },
      bodyLimit: VIEW_BODY_LIMIT,
      schema: {
        tags: ["inventory"],
        summary: "Replace a saved view (its owner or an org admin)",
        params: viewIdSchema,
        body: viewRequestSchema,
        response: { 200: viewSchema },
      },
    },
    (request) =>
      updateView(deps, contextOf(request), principalOf(request), request.params.id, request.body),
  );

  app.delete(
    "/inventory/views/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["inventory"],
        summary: "Delete a saved view (its owner or an org admin)",
        params: viewIdSchema,
      },
    },
    async (request, reply) => {
      await deleteView(deps, contextOf(request), principalOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    "/inventory/timeline",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["inventory"],
        summary: "What appeared and disappeared between syncs of a connection, newest first",
        querystring: timelineQuerySchema,
        response: { 200: timelinePageSchema },
      },
    },
    (request) => listChanges(deps.db, principalOf(request), request.query),
  );

  app.post(
    "/inventory/attributes",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["inventory"],
        summary:
          "Live attributes and status of resources, fetched from AWS now with your grants; NDJSON, one line per ARN, never stored",
        body: attributesRequestSchema,
      },
    },
    (request, reply) => {
      const stream = new PassThrough();
      const controller = new AbortController();
      request.raw.on("close", () => controller.abort());
      forManyCalls(controller.signal);
      fetchAttributes(
        deps,
        principalOf(request),
        actorOfRequest(request),
        request.body.arns,
        (line) => stream.write(`${JSON.stringify(line)}\n`),
        controller.signal,
        { liveStatus: true, limiter: liveLimiter },
      )
        .then(async ({ connections }) => {
          // Live AWS calls made for a user: one event for the request.
          await recordAuditEvent(deps.db, contextOf(request), {
            action: "inventory.attributes.fetch",
            objectType: "inventory_attributes",
            outcome: "success",
            detail: { connections, arns: new Set(request.body.arns).size },
          });
        })
        .then(
          () => stream.end(),
          (error: unknown) => {
            // The cause goes to the log under the request id, never to the viewer.
            request.log.error({ err: error }, "live attributes failed");
            const line = {
              error: {
                code: "INTERNAL",
                message: `the live attributes could not be read; quote request id ${request.id} to an admin`,
                requestId: request.id,
              },
            };
            stream.write(`${JSON.stringify(line)}\n`);
            stream.end();
          },
        );
      return reply.type("application/x-ndjson").send(stream);
    },
  );

  app.post(
    "/inventory/schedules",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["inventory"],
        summary:
          "Sync a selection on a schedule (create, or replace by name); runs with your grants",
        body: scheduleRequestSchema,
        response: { 200: scheduleSchema },
      },
    },
    (request) => saveSyncSchedule(deps, contextOf(request), principalOf(request), request.body),
  );

  app.get(
    "/inventory/schedules",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["inventory"],
        summary: "Scheduled syncs: yours (an org admin sees every one of the org)",
        response: { 200: z.object({ items: z.array(scheduleSchema) }) },
      },
    },
    async (request) => ({ items: await listSyncSchedules(deps, principalOf(request)) }),
  );

  app.delete(
    "/inventory/schedules/:name",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["inventory"],
        summary: "Stop a scheduled sync",
        params: z.strictObject({ name: scheduleNameSchema }),
      },
    },
    async (request, reply) => {
      await deleteSyncSchedule(deps, contextOf(request), principalOf(request), request.params.name);
      return reply.code(204).send();
    },
  );

  app.post(
    "/inventory/prices/refresh",
    {
      config: { access: "admin" },
      schema: {
        tags: ["inventory"],
        summary:
          "Cache AWS's prices (pricing:GetProducts, us-east-1) for some regions, through a connection allowed to call it",
        body: priceRefreshRequestSchema,
        response: { 200: priceRefreshResponseSchema },
      },
    },
    (request) =>
      refreshPrices(
        deps,
        contextOf(request),
        principalOf(request),
        actorOfRequest(request),
        request.body,
      ),
  );

  app.post(
    "/inventory/prices/import",
    {
      config: { access: "admin" },
      bodyLimit: PRICE_IMPORT_BODY_LIMIT,
      schema: {
        tags: ["inventory"],
        summary:
          "Import an AWS price list offer file (AWS's bulk format, index.json of one service)",
        body: z.looseObject({}),
        response: { 200: priceImportResponseSchema },
      },
    },
    (request) => importPrices(deps, contextOf(request), principalOf(request), request.body),
  );

  const budgetOf = (request: FastifyRequest, body: BudgetRequest) => {
    const controller = new AbortController();
    request.raw.on("close", () => controller.abort());
    forManyCalls(controller.signal);
    return estimateBudget(
      deps,
      contextOf(request),
      principalOf(request),
      actorOfRequest(request),
      body,
      controller.signal,
      liveLimiter,
    );
  };

  app.post(
    "/inventory/budget",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["inventory"],
        summary:
          "A monthly estimate of components (live attributes × cached AWS prices): per component, per type, total",
        body: budgetRequestSchema,
        response: { 200: budgetSchema },
      },
    },
    (request) => budgetOf(request, request.body),
  );

  app.post(
    "/inventory/budget/csv",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["inventory"],
        summary: "The same estimate as CSV: one row per component, then the total",
        body: budgetRequestSchema,
      },
    },
    async (request, reply) => {
      const csv = budgetCsv(await budgetOf(request, request.body));
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", 'attachment; filename="budget.csv"')
        .send(csv);
    },
  );
};
