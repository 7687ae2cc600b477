import { randomBytes } from "node:crypto";
import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import type { Clock } from "../clock.js";
import type { Db, DbOrTx } from "../db/index.js";
import { Forbidden, Invalid, NotFound } from "../errors.js";
import { newId } from "../ids.js";
import { deleteScopedSecret, putScopedSecret, type KeystoreDeps } from "../keystore/index.js";
import { findProjectRow, isProjectMember } from "../projects/index.js";
import type { WorkflowDefinition, WorkflowTrigger } from "./definition-schema.js";
import { DefinitionInvalid } from "./definition-invalid.js";
import { requireSecretHostsAllowed } from "./http-secret-hosts.js";
import { parseDefinition } from "./parse-definition.js";
import type { WorkflowTable, WorkflowVersionTable } from "./workflow.table.js";

/** Keeps the queue's schedules in step with a workflow's triggers (the engine provides it). */
export interface ScheduleSync {
  sync(workflowId: string, triggers: WorkflowTrigger[]): Promise<void>;
}

export interface WorkflowDeps {
  db: Db;
  clock: Clock;
  keystore: KeystoreDeps;
  schedules: ScheduleSync;
}

/** The webhook's signing secret, in the key store under the org. */
export function webhookSecretPath(workflowId: string): string {
  return `keys/system/workflows/${workflowId}/webhook`;
}

export function detectFormat(source: string): "yaml" | "json" {
  return source.trimStart().startsWith("{") ? "json" : "yaml";
}

/** Validates a definition; throws DEFINITION_INVALID with every error's line and column. */
export function validateDefinition(source: string, format: "yaml" | "json"): WorkflowDefinition {
  const parsed = parseDefinition(source, format);
  if (!parsed.ok) throw new DefinitionInvalid(parsed.errors);
  return parsed.definition;
}

export async function findWorkflow(
  db: DbOrTx,
  orgId: string,
  name: string,
): Promise<WorkflowTable> {
  const row = await db
    .selectFrom("workflows")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("name", "=", name)
    .executeTakeFirst();
  if (row === undefined) throw new NotFound(`workflow ${name}`);
  return row;
}

export async function findVersion(
  db: DbOrTx,
  workflowId: string,
  version: number,
): Promise<WorkflowVersionTable> {
  const row = await db
    .selectFrom("workflow_versions")
    .selectAll()
    .where("workflow_id", "=", workflowId)
    .where("version", "=", version)
    .executeTakeFirst();
  if (row === undefined) throw new NotFound(`version ${version}`);
  return row;
}

/**
 * Who may see a workflow (and run it as themselves, and preflight it): every member an org
 * workflow, only its members (and admins) a project's. To anyone else a project's workflow does
 * not exist.
 */
export async function canRead(
  db: DbOrTx,
  principal: Principal,
  workflow: Pick<WorkflowTable, "project_id">,
): Promise<boolean> {
  return (
    workflow.project_id === null || (await isProjectMember(db, principal, workflow.project_id))
  );
}

export async function requireReader(
  db: DbOrTx,
  principal: Principal,
  workflow: Pick<WorkflowTable, "name" | "project_id">,
): Promise<void> {
  if (!(await canRead(db, principal, workflow))) throw new NotFound(`workflow ${workflow.name}`);
}

/**
 * Who may change a workflow (save, restore, delete, rotate its webhook): a project's members, or
 * for an org workflow its creator and the org admins. Its schedule and webhook runs execute as
 * its last editor, so nobody else's edit can make them run as someone else.
 */
export async function requireEditor(
  db: DbOrTx,
  principal: Principal,
  workflow: Pick<WorkflowTable, "name" | "project_id" | "created_by" | "created_by_user_id">,
): Promise<void> {
  await requireReader(db, principal, workflow);
  if (workflow.project_id !== null || principal.role === "admin") return;
  // By id: a user created again under its creator's name is not its creator.
  if (workflow.created_by_user_id !== principal.userId) {
    throw new Forbidden(
      `workflow ${workflow.name} is an org workflow of ${workflow.created_by.replace(/^user:/, "")}: only they and org admins change it (put shared workflows in a project)`,
    );
  }
}

/**
 * Who may start a run: whoever may see the workflow (the run executes as them, with their own
 * grants) — but a workflow with runAs executes with that user's grants, so only they and org
 * admins start it.
 */
export async function requireStarter(
  db: DbOrTx,
  principal: Principal,
  workflow: Pick<WorkflowTable, "name" | "project_id" | "run_as_user_id">,
): Promise<void> {
  await requireReader(db, principal, workflow);
  if (
    workflow.run_as_user_id !== null &&
    principal.role !== "admin" &&
    principal.userId !== workflow.run_as_user_id
  ) {
    throw new Forbidden(
      `workflow ${workflow.name} runs as another user (runAs): only that user and org admins start it`,
    );
  }
}

function hasWebhook(definition: WorkflowDefinition): boolean {
  return (definition.triggers ?? []).some((t) => "webhook" in t);
}

function scheduleTriggers(definition: WorkflowDefinition): WorkflowTrigger[] {
  return (definition.triggers ?? []).filter((t) => "schedule" in t);
}

async function runAsUserId(
  db: DbOrTx,
  principal: Principal,
  runAs: string | undefined,
): Promise<string | null> {
  if (runAs === undefined) return null;
  if (principal.role !== "admin") {
    throw new Forbidden(
      "only an org admin may set runAs: runs would execute with another user's grants",
      {
        field: "runAs",
      },
    );
  }
  const user = await db
    .selectFrom("users")
    .select("id")
    .where("org_id", "=", principal.orgId)
    .where("name", "=", runAs)
    .executeTakeFirst();
  if (user === undefined)
    throw new Invalid(`runAs: no user ${runAs} in this org`, { field: "runAs" });
  return user.id;
}

/**
 * An http step sends its secrets wherever its URL says, so a definition may name only the
 * secrets its author could write (as a connection's secret): any for an org admin, and a
 * project's for its members. Otherwise any member could send an admin's secret to themselves.
 */
async function requireSecretsUsable(
  db: DbOrTx,
  principal: Principal,
  definition: WorkflowDefinition,
): Promise<void> {
  if (principal.role === "admin") return;
  for (const [i, step] of definition.steps.entries()) {
    if (!("http" in step)) continue;
    for (const [name, path] of Object.entries(step.http.secrets ?? {})) {
      const project = /^keys\/project\/([^/]+)\//.exec(path)?.[1];
      const row =
        project === undefined
          ? undefined
          : await db
              .selectFrom("projects")
              .select("id")
              .where("org_id", "=", principal.orgId)
              .where("name", "=", project)
              .executeTakeFirst();
      if (row === undefined || !(await isProjectMember(db, principal, row.id))) {
        throw new Forbidden(
          `you may not use the secret ${path}: ${project === undefined ? "system secrets are for org admins" : `you are not a member of project ${project}`}`,
          { field: `steps[${i}].http.secrets.${name}` },
        );
      }
    }
  }
}

/** Whom the workflow's schedule and webhook runs execute as (a user id; null: nobody can). */
async function triggerRunsAs(db: DbOrTx, workflow: WorkflowTable): Promise<string | null> {
  if (workflow.run_as_user_id !== null) return workflow.run_as_user_id;
  const version = await findVersion(db, workflow.id, workflow.current_version);
  return version.created_by_user_id;
}

export interface SavedWorkflow {
  workflow: WorkflowTable;
  /** Shown once: the webhook trigger's new signing secret. */
  webhookSecret?: string;
}

/**
 * Creates a workflow or saves a new version of it, by the definition's name. Every save is a new
 * version; runs keep the version they ran. A definition with a webhook trigger gets a signing
 * secret in the key store, returned this once.
 */
export async function saveWorkflow(
  deps: WorkflowDeps,
  context: RequestContext,
  principal: Principal,
  input: { source: string; format: "yaml" | "json"; project?: string | undefined },
): Promise<SavedWorkflow> {
  const definition = validateDefinition(input.source, input.format);
  const now = deps.clock.now().toISOString();
  const actor = `user:${principal.userName}`;
  const runAs = await runAsUserId(deps.db, principal, definition.runAs);
  await requireSecretsUsable(deps.db, principal, definition);
  await requireSecretHostsAllowed(deps.db, principal.orgId, definition);
  const project =
    input.project === undefined
      ? undefined
      : await findProjectRow(deps.db, principal.orgId, input.project);
  if (project !== undefined && !(await isProjectMember(deps.db, principal, project.id))) {
    throw new Forbidden(`you are not a member of project ${project.name}`, { field: "project" });
  }
  let webhookSecret: string | undefined;
  const workflow = await deps.db.transaction().execute(async (tx) => {
    const existing = await tx
      .selectFrom("workflows")
      .selectAll()
      .where("org_id", "=", principal.orgId)
      .where("name", "=", definition.name)
      .executeTakeFirst();
    let row: WorkflowTable;
    if (existing === undefined) {
      row = {
        id: newId(),
        org_id: principal.orgId,
        project_id: project?.id ?? null,
        name: definition.name,
        current_version: 1,
        run_as_user_id: runAs,
        created_by: actor,
        created_by_user_id: principal.userId,
        created_at: now,
        updated_at: now,
      };
      await tx.insertInto("workflows").values(row).execute();
    } else {
      // Names are unique in the org: a save of a name taken in a project the user cannot see
      // says so, where everything else treats that workflow as absent.
      if (!(await canRead(tx, principal, existing))) {
        throw new Forbidden(
          `a workflow named ${existing.name} belongs to a project you are not a member of: choose another name`,
        );
      }
      await requireEditor(tx, principal, existing);
      if (project !== undefined && project.id !== existing.project_id) {
        throw new Invalid(
          `workflow ${existing.name} already exists outside project ${project.name}`,
          {
            field: "project",
          },
        );
      }
      // A member's save of an admin's workflow keeps no runAs it could not set itself.
      row = {
        ...existing,
        current_version: existing.current_version + 1,
        run_as_user_id: runAs,
        updated_at: now,
      };
      await tx
        .updateTable("workflows")
        .set({ current_version: row.current_version, run_as_user_id: runAs, updated_at: now })
        .where("id", "=", existing.id)
        .execute();
    }
    await tx
      .insertInto("workflow_versions")
      .values({
        workflow_id: row.id,
        version: row.current_version,
        definition: JSON.stringify(definition),
        source: input.source,
        format: input.format,
        created_by: actor,
        created_by_user_id: principal.userId,
        created_at: now,
      })
      .execute();
    const path = webhookSecretPath(row.id);
    // Whoever holds the webhook secret starts runs that execute as runAs, else the last editor:
    // when this save changes who that is, the old secret stops working now (a new one is made
    // below and shown to this saver), or a member's secret would start runs as an admin who
    // re-saved their workflow.
    const runAsMoved =
      existing !== undefined && (await triggerRunsAs(tx, existing)) !== (runAs ?? principal.userId);
    if (runAsMoved) await deleteScopedSecret(tx, principal.orgId, path);
    if (hasWebhook(definition)) {
      const stored = await tx
        .selectFrom("secrets")
        .select("id")
        .where("org_id", "=", principal.orgId)
        .where("path", "=", path)
        .executeTakeFirst();
      if (stored === undefined) {
        webhookSecret = `whsec_${randomBytes(32).toString("base64url")}`;
        await putScopedSecret(deps.keystore, tx, principal.orgId, {
          path,
          type: "password",
          value: webhookSecret,
          actor,
        });
      }
    }
    await recordAuditEvent(tx, context, {
      action: "workflow.save",
      objectType: "workflow",
      objectId: row.name,
      outcome: "success",
      detail: {
        version: row.current_version,
        steps: definition.steps.length,
        ...(runAsMoved
          ? { runAsMoved: true, webhookSecretRotated: webhookSecret !== undefined }
          : {}),
      },
    });
    return row;
  });
  await deps.schedules.sync(workflow.id, scheduleTriggers(definition));
  return webhookSecret === undefined ? { workflow } : { workflow, webhookSecret };
}

/** A new webhook secret, shown once; the old one stops working at once. */
export async function rotateWebhookSecret(
  deps: WorkflowDeps,
  context: RequestContext,
  principal: Principal,
  name: string,
): Promise<string> {
  const workflow = await findWorkflow(deps.db, principal.orgId, name);
  await requireEditor(deps.db, principal, workflow);
  const version = await findVersion(deps.db, workflow.id, workflow.current_version);
  if (!hasWebhook(JSON.parse(version.definition) as WorkflowDefinition)) {
    throw new Invalid(
      `workflow ${name} has no webhook trigger: add triggers: [{ webhook: {} }] first`,
    );
  }
  // Whoever holds the new secret starts webhook runs, and those run as the last editor: the
  // rotation is a new version by the rotating user, so the runs execute with their grants.
  await saveWorkflow(deps, context, principal, { source: version.source, format: version.format });
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  await deps.db.transaction().execute(async (tx) => {
    await deleteScopedSecret(tx, principal.orgId, webhookSecretPath(workflow.id));
    await putScopedSecret(deps.keystore, tx, principal.orgId, {
      path: webhookSecretPath(workflow.id),
      type: "password",
      value: secret,
      actor: `user:${principal.userName}`,
    });
    await recordAuditEvent(tx, context, {
      action: "workflow.webhook.rotate",
      objectType: "workflow",
      objectId: name,
      outcome: "success",
      detail: {},
    });
  });
  return secret;
}

/** Saves an older version again as the newest. */
export async function restoreVersion(
  deps: WorkflowDeps,
  context: RequestContext,
  principal: Principal,
  name: string,
  version: number,
): Promise<SavedWorkflow> {
  const workflow = await findWorkflow(deps.db, principal.orgId, name);
  await requireEditor(deps.db, principal, workflow);
  const old = await findVersion(deps.db, workflow.id, version);
  return saveWorkflow(deps, context, principal, { source: old.source, format: old.format });
}

/** Deletes a workflow, its versions, schedules and webhook secret; its runs stay in the history. */
export async function deleteWorkflow(
  deps: WorkflowDeps,
  context: RequestContext,
  principal: Principal,
  name: string,
): Promise<void> {
  const workflow = await findWorkflow(deps.db, principal.orgId, name);
  await requireEditor(deps.db, principal, workflow);
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable("runs")
      .set({ workflow_id: null })
      .where("workflow_id", "=", workflow.id)
      .execute();
    await tx.deleteFrom("webhook_deliveries").where("workflow_id", "=", workflow.id).execute();
    await tx.deleteFrom("workflow_firings").where("workflow_id", "=", workflow.id).execute();
    await tx.deleteFrom("workflow_versions").where("workflow_id", "=", workflow.id).execute();
    await deleteScopedSecret(tx, principal.orgId, webhookSecretPath(workflow.id));
    await tx.deleteFrom("workflows").where("id", "=", workflow.id).execute();
    await recordAuditEvent(tx, context, {
      action: "workflow.delete",
      objectType: "workflow",
      objectId: name,
      outcome: "success",
      detail: { versions: workflow.current_version },
    });
  });
  await deps.schedules.sync(workflow.id, []);
}
