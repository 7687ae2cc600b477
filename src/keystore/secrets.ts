import { createPrivateKey } from "node:crypto";
import { sql } from "kysely";
import { storedPrincipalsOf, type Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import { isUniqueViolation, type DbOrTx } from "../db/index.js";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors.js";
import { newId } from "../ids.js";
import { findProjectRow, isProjectMember, type ProjectTable } from "../projects/index.js";
import { openValue, sealValue } from "./crypto-row.js";
import type { KeystoreDeps } from "./keystore-deps.js";
import type { PutSecretInput, SecretMetadata } from "./schemas.js";
import type { SecretTable, SecretType } from "./secret.table.js";
import { parseSecretPath, projectSecretPrefix, type SecretPath } from "./secret-path.js";
import { allowedHostsOf, secretHostRefusal, storedAllowedHosts } from "./secret-hosts.js";
import type { Destination } from "../outbound/index.js";

function toMetadata(row: SecretTable, parsed = parseSecretPath(row.path)): SecretMetadata {
  return {
    path: row.path,
    type: row.type,
    scope: parsed.scope.kind,
    project: parsed.scope.kind === "project" ? parsed.scope.project : null,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
    lastUsedAt: row.last_used_at,
    allowedHosts: allowedHostsOf(row),
  };
}

function validateValue(type: SecretType, value: string): void {
  if (type !== "key-pair") return;
  try {
    createPrivateKey(value);
  } catch {
    throw new Invalid("a key-pair value must be a PEM private key (PKCS#8 or PKCS#1)", {
      field: "value",
    });
  }
}

/**
 * Who may write or delete at a path: admins anywhere in the org; members in the projects
 * they belong to. A project one does not belong to is answered as not found.
 */
async function authorizePath(
  db: DbOrTx,
  principal: Principal,
  parsed: SecretPath,
): Promise<ProjectTable | null> {
  if (parsed.scope.kind === "system") {
    if (principal.role !== "admin") throw new Forbidden("system secrets are managed by org admins");
    return null;
  }
  const project = await findProjectRow(db, principal.orgId, parsed.scope.project);
  if (!(await isProjectMember(db, principal, project.id)))
    throw new NotFound(`project ${parsed.scope.project}`);
  return project;
}

/** Creates a secret, or replaces its value when `replace` is true; the value is never returned. */
/**
 * Secrets Switchboard keeps for itself, which the secrets API neither replaces nor deletes: a
 * workflow's webhook secret (deleting it silently turned every webhook call away) and the OIDC
 * issuer's signing keys. Each is managed where it belongs.
 */
const MANAGED_SECRETS: { prefix: string; how: string }[] = [
  {
    prefix: "keys/system/workflows/",
    how: "it is a workflow's webhook secret: rotate it with POST /api/v1/workflows/NAME/webhook/rotate (or on the workflow's page); it goes when the workflow is deleted",
  },
  {
    prefix: "keys/system/oidc/",
    how: "it is a signing key of Switchboard's OIDC issuer, which creates and retires its keys itself",
  },
];

function refuseManaged(path: string, verb: string): void {
  const managed = MANAGED_SECRETS.find((m) => path.startsWith(m.prefix));
  if (managed !== undefined)
    throw new Conflict(`${path} cannot be ${verb} through the secrets API: ${managed.how}`, {
      code: "MANAGED_SECRET",
      field: "path",
    });
}

export async function putSecret(
  deps: KeystoreDeps,
  context: RequestContext,
  principal: Principal,
  input: PutSecretInput,
): Promise<{ secret: SecretMetadata; created: boolean }> {
  const parsed = parseSecretPath(input.path);
  refuseManaged(input.path, "written");
  validateValue(input.type, input.value);
  const now = deps.clock.now().toISOString();
  // Bound to this value: a replace without hosts clears the previous writer's.
  const allowedHosts = storedAllowedHosts(input.allowedHosts);
  try {
    return await deps.db.transaction().execute(async (tx) => {
      const project = await authorizePath(tx, principal, parsed);
      const existing = await tx
        .selectFrom("secrets")
        .selectAll()
        .where("org_id", "=", principal.orgId)
        .where("path", "=", input.path)
        .executeTakeFirst();
      if (existing !== undefined && !input.replace) {
        throw new Conflict(
          `a secret exists at ${input.path}; send "replace": true to replace its value`,
          { field: "path" },
        );
      }
      let row: SecretTable;
      if (existing === undefined) {
        const id = newId();
        row = {
          id,
          org_id: principal.orgId,
          path: input.path,
          project_id: project?.id ?? null,
          type: input.type,
          ...sealValue(deps.keyring, { orgId: principal.orgId, id, path: input.path }, input.value),
          allowed_hosts: allowedHosts,
          created_at: now,
          created_by: context.actor,
          updated_at: now,
          updated_by: context.actor,
          last_used_at: null,
        };
        await tx.insertInto("secrets").values(row).execute();
      } else {
        // One UPDATE writes the new ciphertext and its data key together, so two concurrent
        // replaces leave one whole value, never a value with the other's key.
        const sealed = sealValue(
          deps.keyring,
          { orgId: existing.org_id, id: existing.id, path: existing.path },
          input.value,
        );
        row = {
          ...existing,
          ...sealed,
          type: input.type,
          allowed_hosts: allowedHosts,
          updated_at: now,
          updated_by: context.actor,
        };
        await tx
          .updateTable("secrets")
          .set({
            ...sealed,
            type: input.type,
            allowed_hosts: allowedHosts,
            updated_at: now,
            updated_by: context.actor,
          })
          .where("id", "=", existing.id)
          .execute();
      }
      await recordAuditEvent(tx, context, {
        action: existing === undefined ? "secret.create" : "secret.replace",
        objectType: "secret",
        objectId: input.path,
        detail: { type: input.type, allowedHosts: input.allowedHosts ?? null },
      });
      return { secret: toMetadata(row, parsed), created: existing === undefined };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new Conflict(
        `a secret exists at ${input.path}; send "replace": true to replace its value`,
        { field: "path", cause: error },
      );
    }
    throw error;
  }
}

export async function deleteSecret(
  deps: KeystoreDeps,
  context: RequestContext,
  principal: Principal,
  path: string,
): Promise<void> {
  const parsed = parseSecretPath(path);
  refuseManaged(path, "deleted");
  await deps.db.transaction().execute(async (tx) => {
    await authorizePath(tx, principal, parsed);
    const result = await tx
      .deleteFrom("secrets")
      .where("org_id", "=", principal.orgId)
      .where("path", "=", path)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFound(`secret ${path}`);
    await recordAuditEvent(tx, context, {
      action: "secret.delete",
      objectType: "secret",
      objectId: path,
    });
  });
}

/** Metadata only, in path order: admins see the org's secrets, members those of their projects. */
export async function listSecrets(
  db: DbOrTx,
  principal: Principal,
  query: { prefix?: string | undefined; limit: number; afterPath?: string | undefined },
): Promise<SecretMetadata[]> {
  let q = db
    .selectFrom("secrets")
    .selectAll("secrets")
    .where("secrets.org_id", "=", principal.orgId);
  if (query.prefix !== undefined && query.prefix !== "") {
    q = q.where(sql<string>`substr(secrets.path, 1, ${query.prefix.length})`, "=", query.prefix);
  }
  if (query.afterPath !== undefined) q = q.where("secrets.path", ">", query.afterPath);
  if (principal.role !== "admin") {
    const mine = await storedPrincipalsOf(db, principal);
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("project_members")
          .select("project_members.project_id")
          .whereRef("project_members.project_id", "=", "secrets.project_id")
          .where("project_members.principal", "in", mine),
      ),
    );
  }
  const rows = await q
    .orderBy("secrets.path")
    .limit(query.limit + 1)
    .execute();
  return rows.map((row) => toMetadata(row));
}

export interface SecretUse {
  /** The org whose audit log records the use. */
  auditContext: RequestContext;
  /** Why the server needs the value, e.g. "connection prod: access key". */
  purpose: string;
  /**
   * Where the value will be sent (an http step's destination): refused, before it is decrypted,
   * unless the secret's writer bound it to that host (SECRET_HOST_NOT_ALLOWED).
   */
  sendTo?: Destination;
}

/**
 * The only way to a secret's value: server code decrypts at the moment of use, and each
 * use is an audit event. `scope` is the owning org id (or INSTALL_SCOPE).
 */
export async function useSecret(
  deps: KeystoreDeps,
  scope: string,
  path: string,
  use: SecretUse,
): Promise<string> {
  const row = await deps.db
    .selectFrom("secrets")
    .selectAll()
    .where("org_id", "=", scope)
    .where("path", "=", path)
    .executeTakeFirst();
  if (row === undefined) throw new NotFound(`secret ${path}`);
  if (use.sendTo !== undefined) {
    // Checked on the row the value comes from: a concurrent rewrite changes both together.
    const refusal = secretHostRefusal(path, allowedHostsOf(row), use.sendTo);
    if (refusal !== undefined) throw refusal;
  }
  const value = openValue(deps.keyring, row);
  await recordUse(deps, row.id, path, use);
  return value;
}

/**
 * Checks something against a secret (a webhook's signature) without handing the value out: the
 * use is audited only when the check passes, so unauthenticated requests that fail it cannot
 * fill the audit log. Returns whether it passed.
 */
export async function checkWithSecret(
  deps: KeystoreDeps,
  scope: string,
  path: string,
  check: (value: string) => boolean,
  use: SecretUse,
): Promise<boolean> {
  const row = await deps.db
    .selectFrom("secrets")
    .selectAll()
    .where("org_id", "=", scope)
    .where("path", "=", path)
    .executeTakeFirst();
  if (row === undefined || !check(openValue(deps.keyring, row))) return false;
  await recordUse(deps, row.id, path, use);
  return true;
}

async function recordUse(
  deps: KeystoreDeps,
  id: string,
  path: string,
  use: SecretUse,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable("secrets")
      .set({ last_used_at: now.toISOString() })
      .where("id", "=", id)
      .execute();
    await recordAuditEvent(
      tx,
      use.auditContext,
      {
        action: "secret.use",
        objectType: "secret",
        objectId: path,
        detail: { purpose: use.purpose },
      },
      now,
    );
  });
}

/** Server-side writes of the server's own secrets (no principal, no API). */
export async function putScopedSecret(
  deps: KeystoreDeps,
  db: DbOrTx,
  scope: string,
  input: { path: string; type: SecretType; value: string; actor: string },
): Promise<void> {
  validateValue(input.type, input.value);
  const now = deps.clock.now().toISOString();
  const id = newId();
  await db
    .insertInto("secrets")
    .values({
      id,
      org_id: scope,
      path: input.path,
      project_id: null,
      type: input.type,
      ...sealValue(deps.keyring, { orgId: scope, id, path: input.path }, input.value),
      allowed_hosts: null,
      created_at: now,
      created_by: input.actor,
      updated_at: now,
      updated_by: input.actor,
      last_used_at: null,
    })
    .execute();
}

export async function deleteScopedSecret(db: DbOrTx, scope: string, path: string): Promise<void> {
  await db.deleteFrom("secrets").where("org_id", "=", scope).where("path", "=", path).execute();
}

/** After a project rename: each of its secrets moves to the new path, re-encrypted to bind it. */
export function rebindProjectSecrets(deps: Pick<KeystoreDeps, "keyring">) {
  return async (tx: DbOrTx, project: ProjectTable, newName: string): Promise<void> => {
    const oldPrefix = projectSecretPrefix(project.name);
    const rows = await tx
      .selectFrom("secrets")
      .selectAll()
      .where("project_id", "=", project.id)
      .execute();
    for (const row of rows) {
      const newPath = projectSecretPrefix(newName) + row.path.slice(oldPrefix.length);
      const value = openValue(deps.keyring, row);
      const sealed = sealValue(
        deps.keyring,
        { orgId: row.org_id, id: row.id, path: newPath },
        value,
      );
      await tx
        .updateTable("secrets")
        .set({ ...sealed, path: newPath })
        .where("id", "=", row.id)
        .execute();
    }
  };
}

/**
 * At save and preflight: why an http step may not send this secret to the destination (undefined
 * when the URL is known only at run time), or undefined when it may, or the secret does not exist
 * yet. The run checks again when it sends (useSecret's sendTo); that check is the one that holds.
 */
export async function secretSendRefusal(
  db: DbOrTx,
  orgId: string,
  path: string,
  destination: Destination | undefined,
): Promise<Error | undefined> {
  const row = await db
    .selectFrom("secrets")
    .select("allowed_hosts")
    .where("org_id", "=", orgId)
    .where("path", "=", path)
    .executeTakeFirst();
  return row === undefined ? undefined : secretHostRefusal(path, allowedHostsOf(row), destination);
}
