import { CronExpressionParser } from "cron-parser";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Principal } from "../access/index.js";
import type { DbOrTx } from "../db/index.js";
import { Invalid } from "../errors.js";
import { contextOf, principalOf } from "../http/route-helpers.js";
import { projectNameSchema } from "../projects/schemas.js";
import type { WorkflowDefinition } from "./definition-schema.js";
import { preflightWorkflow } from "./preflight.js";
import { resolveInputs } from "./resolve-inputs.js";
import {
  preflightResponseSchema,
  startRunRequestSchema,
  validateResponseSchema,
  workflowDetailSchema,
  workflowItemSchema,
  workflowNameSchema,
  workflowSaveResponseSchema,
  type WorkflowDetail,
  type WorkflowItem,
} from "./schemas.js";
import type { WorkflowTable } from "./workflow.table.js";
import {
  deleteWorkflow,
  detectFormat,
  findVersion,
  findWorkflow,
  canRead,
  requireReader,
  restoreVersion,
  rotateWebhookSecret,
  saveWorkflow,
  validateDefinition,
  type WorkflowDeps,
} from "./workflows.js";

const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml"];
const nameParams = z.strictObject({ name: workflowNameSchema });
// Schedules fire within this long of their slot; a slot older than that without a firing was missed.
const FIRING_GRACE_MS = 90_000;
const MAX_MISSED_COUNTED = 10_000;

/** The body as the definition's text: YAML as sent, or the JSON definition as JSON text. */
function sourceOf(body: unknown): { source: string; format: "yaml" | "json" } {
  if (typeof body === "string") return { source: body, format: detectFormat(body) };
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    return { source: JSON.stringify(body, null, 2), format: "json" };
  }
  throw new Invalid(
    "send the definition as YAML (Content-Type: application/yaml) or as a JSON object",
  );
}

function scheduleInfo(
  definition: WorkflowDefinition,
  lastFiredAt: string | null,
  since: string,
  now: Date,
) {
  return (definition.triggers ?? []).flatMap((t) => {
    if (!("schedule" in t)) return [];
    const tz = t.timezone ?? "UTC";
    const next = CronExpressionParser.parse(t.schedule, { tz, currentDate: now }).next().toDate();
    let missed = 0;
    const from = new Date(lastFiredAt ?? since);
    const until = new Date(now.getTime() - FIRING_GRACE_MS);
    if (from < until) {
      const slots = CronExpressionParser.parse(t.schedule, {
        tz,
        currentDate: from,
        endDate: until,
      });
      while (slots.hasNext() && missed < MAX_MISSED_COUNTED) {
        slots.next();
        missed += 1;
      }
    }
    return [
      {
        cron: t.schedule,
        timezone: tz,
        nextAt: next.toISOString(),
        lastFiredAt,
        missedSlots: missed,
      },
    ];
  });
}

async function itemOf(
  db: DbOrTx,
  workflow: WorkflowTable,
  now: Date,
): Promise<{
  item: WorkflowItem;
  definition: WorkflowDefinition;
  version: Awaited<ReturnType<typeof findVersion>>;
}> {
  const version = await findVersion(db, workflow.id, workflow.current_version);
  const definition = JSON.parse(version.definition) as WorkflowDefinition;
  const lastRun = await db
    .selectFrom("runs")
    .select(["id", "status", "started_at"])
    .where("workflow_id", "=", workflow.id)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  const lastFiring = await db
    .selectFrom("workflow_firings")
    .select(["slot"])
    .where("workflow_id", "=", workflow.id)
    .orderBy("slot", "desc")
    .limit(1)
    .executeTakeFirst();
  const project =
    workflow.project_id === null
      ? null
      : ((
          await db
            .selectFrom("projects")
            .select("name")
            .where("id", "=", workflow.project_id)
            .executeTakeFirst()
        )?.name ?? null);
  return {
    definition,
    version,
    item: {
      name: workflow.name,
      description: definition.description ?? null,
      project,
      version: workflow.current_version,
      updatedAt: workflow.updated_at,
      updatedBy: version.created_by,
      stepCount: definition.steps.length,
      lastRun:
        lastRun === undefined
          ? null
          : { id: lastRun.id, status: lastRun.status, startedAt: lastRun.started_at },
      schedules: scheduleInfo(definition, lastFiring?.slot ?? null, version.created_at, now),
      webhook: (definition.triggers ?? []).some((t) => "webhook" in t),
    },
  };
}

async function detailOf(
  deps: WorkflowDeps,
  publicUrl: string,
  orgName: string,
  workflow: WorkflowTable,
): Promise<WorkflowDetail> {
  const { item, definition, version } = await itemOf(deps.db, workflow, deps.clock.now());
  const versions = await deps.db
    .selectFrom("workflow_versions")
    .select(["version", "created_at", "created_by"])
    .where("workflow_id", "=", workflow.id)
    .orderBy("version", "desc")
    .execute();
  const runAs =
    workflow.run_as_user_id === null
      ? null
      : ((
          await deps.db
            .selectFrom("users")
            .select("name")
            .where("id", "=", workflow.run_as_user_id)
            .executeTakeFirst()
        )?.name ?? null);
  return {
    ...item,
    source: version.source,
    format: version.format,
    definition,
    runAs,
    versions: versions.map((v) => ({
      version: v.version,
      createdAt: v.created_at,
      createdBy: v.created_by,
    })),
    webhookUrl: item.webhook
      ? `${publicUrl}/api/v1/hooks/${encodeURIComponent(orgName)}/${workflow.name}`
      : null,
  };
}

async function visibleWorkflows(db: DbOrTx, principal: Principal): Promise<WorkflowTable[]> {
  const rows = await db
    .selectFrom("workflows")
    .selectAll()
    .where("org_id", "=", principal.orgId)
    .orderBy("name")
    .execute();
  const visible: WorkflowTable[] = [];
  for (const row of rows) if (await canRead(db, principal, row)) visible.push(row);
  return visible;
}

export const workflowRoutes: FastifyPluginAsyncZod<{
  deps: WorkflowDeps;
  publicUrl: string;
}> = async (app, { deps, publicUrl }) => {
  app.addContentTypeParser(YAML_TYPES, { parseAs: "string" }, (_request, body, done) => {
    done(null, body);
  });
  const definitionBody = z
    .union([z.string().max(1024 * 1024), z.record(z.string(), z.unknown())])
    .describe("the definition: YAML text (Content-Type: application/yaml) or a JSON object");

  app.post(
    "/workflows",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["workflows"],
        summary: "Create a workflow or save a new version of it (by its name), from YAML or JSON",
        querystring: z.strictObject({
          project: projectNameSchema.optional().describe("a new workflow's project"),
        }),
        body: definitionBody,
        response: { 200: workflowSaveResponseSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const saved = await saveWorkflow(deps, contextOf(request), principal, {
        ...sourceOf(request.body),
        project: request.query.project,
      });
      const detail = await detailOf(deps, publicUrl, principal.orgName, saved.workflow);
      return saved.webhookSecret === undefined
        ? detail
        : { ...detail, webhookSecret: saved.webhookSecret };
    },
  );

  app.post(
    "/workflows/validate",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["workflows"],
        summary:
          "Check a definition without saving it: 200 when valid, else 400 DEFINITION_INVALID with every error (path, line, column) in error.details",
        body: definitionBody,
        response: { 200: validateResponseSchema },
      },
    },
    async (request) => {
      const { source, format } = sourceOf(request.body);
      // An invalid definition is refused as saving it would be: 400 with every error in details.
      validateDefinition(source, format);
      return { valid: true, errors: [] };
    },
  );

  app.get(
    "/workflows",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["workflows"],
        summary: "Workflows with their last run and schedules",
        response: { 200: z.object({ items: z.array(workflowItemSchema) }) },
      },
    },
    async (request) => {
      const now = deps.clock.now();
      const rows = await visibleWorkflows(deps.db, principalOf(request));
      const items: WorkflowItem[] = [];
      for (const row of rows) items.push((await itemOf(deps.db, row, now)).item);
      return { items };
    },
  );

  app.get(
    "/workflows/:name",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["workflows"],
        summary: "One workflow: its current definition, versions, schedules and webhook",
        params: nameParams,
        response: { 200: workflowDetailSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const workflow = await findWorkflow(deps.db, principal.orgId, request.params.name);
      await requireReader(deps.db, principal, workflow);
      return detailOf(deps, publicUrl, principal.orgName, workflow);
    },
  );

  app.get(
    "/workflows/:name/versions/:version",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["workflows"],
        summary: "One version of a workflow",
        params: z.strictObject({
          name: workflowNameSchema,
          version: z.coerce.number().int().min(1),
        }),
        response: {
          200: z.object({
            version: z.number(),
            source: z.string(),
            format: z.enum(["yaml", "json"]),
            definition: z.unknown(),
            createdAt: z.string(),
            createdBy: z.string(),
          }),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const workflow = await findWorkflow(deps.db, principal.orgId, request.params.name);
      await requireReader(deps.db, principal, workflow);
      const v = await findVersion(deps.db, workflow.id, request.params.version);
      return {
        version: v.version,
        source: v.source,
        format: v.format,
        definition: JSON.parse(v.definition) as unknown,
        createdAt: v.created_at,
        createdBy: v.created_by,
      };
    },
  );

  app.post(
    "/workflows/:name/versions/:version/restore",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["workflows"],
        summary: "Save an older version again as the newest",
        params: z.strictObject({
          name: workflowNameSchema,
          version: z.coerce.number().int().min(1),
        }),
        response: { 200: workflowSaveResponseSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const saved = await restoreVersion(
        deps,
        contextOf(request),
        principal,
        request.params.name,
        request.params.version,
      );
      const detail = await detailOf(deps, publicUrl, principal.orgName, saved.workflow);
      return saved.webhookSecret === undefined
        ? detail
        : { ...detail, webhookSecret: saved.webhookSecret };
    },
  );

  app.delete(
    "/workflows/:name",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["workflows"],
        summary: "Delete a workflow (its runs stay in the history)",
        params: nameParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await deleteWorkflow(deps, contextOf(request), principalOf(request), request.params.name);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/workflows/:name/preflight",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["workflows"],
        summary:
          "What a run would reach, the grants missing, the steps access settings refuse and the IAM policy each connection needs; nothing is sent to AWS",
        params: nameParams,
        body: startRunRequestSchema,
        response: { 200: preflightResponseSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const workflow = await findWorkflow(deps.db, principal.orgId, request.params.name);
      await requireReader(deps.db, principal, workflow);
      const version = await findVersion(deps.db, workflow.id, workflow.current_version);
      const definition = JSON.parse(version.definition) as WorkflowDefinition;
      return preflightWorkflow(deps, principal, {
        workflow,
        version: version.version,
        definition,
        inputs: resolveInputs(definition, request.body.inputs),
      });
    },
  );

  app.post(
    "/workflows/:name/webhook/rotate",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["workflows"],
        summary: "A new webhook signing secret, shown once; the old one stops working at once",
        params: nameParams,
        response: { 200: z.object({ webhookSecret: z.string() }) },
      },
    },
    async (request) => ({
      webhookSecret: await rotateWebhookSecret(
        deps,
        contextOf(request),
        principalOf(request),
        request.params.name,
      ),
    }),
  );
};
