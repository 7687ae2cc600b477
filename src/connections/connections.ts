import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import { isUniqueViolation, type DbOrTx } from "../db/index.js";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors.js";
import { newId } from "../ids.js";
import { audienceFor, subjectFor } from "../oidc/index.js";
import { findProjectRow, isProjectMember } from "../projects/index.js";
import type { ConnectionDeps } from "./connection-deps.js";
import { toRecord, type ConnectionRecord, type StoredSettings } from "./connection-record.js";
import type { ConnectionTable } from "./connection.table.js";
import {
  claimExternalId,
  dropExternalId,
  externalIdValue,
  isSharedExternalId,
  rotateConnectionExternalId,
} from "./external-id.js";
import {
  checkEndpoint,
  mayPointAt,
  refuseNewEndpoint,
  requireEndpointSetter,
} from "./check-endpoint.js";
import {
  assertPrincipalsExist,
  listGrants,
  replaceGrants,
  requireRole,
  rolesOn,
  rolesOnEach,
} from "./grants.js";
import {
  connectionSettingsSchema,
  type Connection,
  type ConnectionSettings,
  type CreateConnectionInput,
  type Grant,
  type GrantRole,
  type UpdateConnectionInput,
} from "./schemas.js";
import { claimWebIdentitySubject, type SubjectClaim } from "./web-identity-subjects.js";

export async function findConnection(
  db: DbOrTx,
  orgId: string,
  name: string,
): Promise<ConnectionRecord> {
  const row = await db
    .selectFrom("connections")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("name", "=", name)
    .executeTakeFirst();
  if (row === undefined) throw new NotFound(`connection ${name}`);
  return toRecord(row);
}

export async function findConnectionById(db: DbOrTx, id: string): Promise<ConnectionRecord> {
  const row = await db
    .selectFrom("connections")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  if (row === undefined) throw new NotFound(`connection ${id}`);
  return toRecord(row);
}

/** A connection the principal may see, with their roles; one they have no grant on is not found. */
export async function visibleConnection(
  db: DbOrTx,
  principal: Principal,
  name: string,
): Promise<{ connection: ConnectionRecord; roles: GrantRole[] }> {
  const connection = await findConnection(db, principal.orgId, name);
  const roles = await rolesOn(db, principal, connection.id);
  if (roles.length === 0) throw new NotFound(`connection ${name}`);
  return { connection, roles };
}

/** The API view: settings in the user's words, the ExternalId or OIDC names to put in AWS. */
export async function presentConnection(
  deps: Pick<ConnectionDeps, "db" | "clock" | "oidcIssuer">,
  principal: Principal,
  connection: ConnectionRecord,
  roles: GrantRole[],
): Promise<Connection> {
  const s = connection.settings;
  const extra: Partial<Connection> = {};
  if (s.method === "access_key")
    Object.assign(extra, { accessKeyId: s.accessKeyId, secretPath: s.secretPath });
  if (s.method === "assume_role" || s.method === "web_identity") {
    extra.roleArn = s.roleArn;
    if (s.sessionDurationSeconds !== undefined)
      extra.sessionDurationSeconds = s.sessionDurationSeconds;
    if (s.policyArns !== undefined) extra.policyArns = s.policyArns;
  }
  if (s.method === "assume_role") {
    if (connection.externalIdId !== null)
      extra.externalId = await externalIdValue(deps.db, connection.externalIdId);
    if (s.sourceConnectionId !== undefined) {
      extra.sourceConnection = (await findConnectionById(deps.db, s.sourceConnectionId)).name;
    }
  }
  if (s.method === "web_identity") {
    extra.webIdentity = {
      issuer: deps.oidcIssuer,
      audience: audienceFor(principal.orgName),
      subject: subjectFor(connection.name),
    };
  }
  const project =
    connection.projectId === null
      ? null
      : ((
          await deps.db
            .selectFrom("projects")
            .select("name")
            .where("id", "=", connection.projectId)
            .executeTakeFirst()
        )?.name ?? null);
  return {
    id: connection.id,
    name: connection.name,
    method: s.method,
    ...extra,
    access: connection.access,
    regions: connection.regions,
    endpoint: connection.endpoint,
    tags: connection.tags,
    project,
    accountId: connection.accountId,
    lastTest: connection.health,
    myRoles: roles,
    createdAt: connection.createdAt,
    createdBy: connection.createdBy,
    updatedAt: connection.updatedAt,
  };
}

export async function listVisibleConnections(
  db: DbOrTx,
  principal: Principal,
): Promise<{ connection: ConnectionRecord; roles: GrantRole[] }[]> {
  const rows = await db
    .selectFrom("connections")
    .selectAll()
    .where("org_id", "=", principal.orgId)
    .orderBy("name")
    .execute();
  const roles = await rolesOnEach(
    db,
    principal,
    rows.map((r) => r.id),
  );
  // A connection without any role is one the principal may not see at all.
  return rows
    .map((row) => ({ connection: toRecord(row), roles: roles.get(row.id) ?? [] }))
    .filter((v) => v.roles.length > 0);
}

/**
 * Who may reference a key-store secret from a connection: anyone who could write it. A project's
 * secret backs only that project's connections: on an org connection (or another project's) its
 * keys would reach people the project never let in.
 */
async function assertSecretUsable(
  db: DbOrTx,
  principal: Principal,
  secretPath: string,
  projectId: string | null,
): Promise<void> {
  const secret = await db
    .selectFrom("secrets")
    .select(["project_id"])
    .where("org_id", "=", principal.orgId)
    .where("path", "=", secretPath)
    .executeTakeFirst();
  if (secret === undefined) {
    throw new Invalid(
      `no secret at ${secretPath}; store it first (switchboard secret set ${secretPath})`,
      { field: "secretPath" },
    );
  }
  const allowed =
    principal.role === "admin" ||
    (secret.project_id !== null && (await isProjectMember(db, principal, secret.project_id)));
  if (!allowed) throw new Forbidden(`you may not use the secret ${secretPath}`);
  if (secret.project_id !== null && secret.project_id !== projectId) {
    const project = await db
      .selectFrom("projects")
      .select("name")
      .where("id", "=", secret.project_id)
      .executeTakeFirst();
    throw new Invalid(
      `the secret ${secretPath} belongs to project ${project?.name ?? secret.project_id}: it can back only a connection of that project (create the connection with project ${project?.name ?? secret.project_id}, or store the key under keys/system/ as an admin)`,
      { field: "secretPath" },
    );
  }
}

/** Resolves a source connection by name; using one means executing with it. Refuses chains that loop. */
async function resolveSource(
  db: DbOrTx,
  principal: Principal,
  sourceName: string,
  selfId: string | undefined,
): Promise<string> {
  const { connection: source, roles } = await visibleConnection(db, principal, sourceName).catch(
    () => {
      throw new Invalid(`source connection ${sourceName} was not found`, {
        field: "sourceConnection",
      });
    },
  );
  if (!roles.includes("executor")) {
    throw new Forbidden(
      `you need the executor role on ${source.name} to assume a role with its credentials`,
      { field: "sourceConnection" },
    );
  }
  const seen = new Set<string>(selfId === undefined ? [] : [selfId]);
  let current: ConnectionRecord | undefined = source;
  while (current !== undefined) {
    if (seen.has(current.id)) {
      throw new Invalid(
        `source connection ${sourceName} leads back to this connection: role chains cannot loop`,
        {
          field: "sourceConnection",
        },
      );
    }
    seen.add(current.id);
    const next: string | undefined =
      current.settings.method === "assume_role" ? current.settings.sourceConnectionId : undefined;
    current = next === undefined ? undefined : await findConnectionById(db, next);
  }
  return source.id;
}

/**
 * Checks what the principal may reference and stores sources by id. On an edit, only what
 * changes is checked again: an editor may retag a connection whose secret or source they
 * could not have chosen themselves.
 */
export async function toStoredSettings(
  db: DbOrTx,
  principal: Principal,
  settings: ConnectionSettings,
  projectId: string | null,
  previous?: { self: ConnectionRecord; changed: Set<string> },
): Promise<StoredSettings> {
  const changed = (field: string) => previous === undefined || previous.changed.has(field);
  switch (settings.method) {
    case "ambient":
      if (changed("method") && principal.role !== "admin") {
        throw new Forbidden("only org admins may use the server's own identity (ambient)");
      }
      return { method: "ambient" };
    case "access_key":
      if (changed("secretPath"))
        await assertSecretUsable(db, principal, settings.secretPath, projectId);
      return settings;
    case "assume_role": {
      const { sourceConnection, ...rest } = settings;
      const repointed = changed("sourceConnection") || changed("roleArn");
      const self = previous?.self;
      // The org's one ExternalId from before per-connection ones is trusted by every older
      // connection's role: re-pointed, such a connection would reach another one's role.
      if (
        repointed &&
        self?.externalIdId != null &&
        (await isSharedExternalId(db, self.orgId, self.externalIdId))
      ) {
        throw new Invalid(
          `connection ${self.name} still has the ExternalId its org shared before each connection had its own, which other connections' roles trust too: rotate its ExternalId (and update its role's trust policy) before pointing it at another role or source`,
          { field: changed("roleArn") ? "roleArn" : "sourceConnection" },
        );
      }
      if (sourceConnection === undefined) {
        // Without a source, Switchboard's own identity calls AssumeRole: pointing it at a role
        // (a new one, or this connection's at another) is as much as using ambient.
        const pointed = changed("sourceConnection") || changed("roleArn") || changed("method");
        if (pointed && principal.role !== "admin") {
          throw new Forbidden(
            "only org admins may have the server's own identity assume a role: name a sourceConnection you hold executor on",
            { field: "sourceConnection" },
          );
        }
        return rest;
      }
      // A source is checked again whenever the role it assumes changes: an editor who does not
      // execute it may not aim it at another role.
      const kept = previous?.self.settings;
      if (!repointed && kept?.method === "assume_role" && kept.sourceConnectionId !== undefined) {
        return { ...rest, sourceConnectionId: kept.sourceConnectionId };
      }
      return {
        ...rest,
        sourceConnectionId: await resolveSource(db, principal, sourceConnection, previous?.self.id),
      };
    }
    case "web_identity":
      return settings;
  }
}

/** The method's settings out of a create body (everything but the common fields). */
export function settingsOf(input: CreateConnectionInput): ConnectionSettings {
  const {
    name: _n,
    access: _a,
    regions: _r,
    endpoint: _e,
    tags: _t,
    project: _p,
    grants: _g,
    ...settings
  } = input;
  if (settings.method === "assume_role") {
    const { externalId: _x, ...assumeRole } = settings;
    return connectionSettingsSchema.parse(assumeRole);
  }
  if (settings.method === "web_identity") {
    const { confirmSubjectReuse: _c, ...webIdentity } = settings;
    return connectionSettingsSchema.parse(webIdentity);
  }
  return connectionSettingsSchema.parse(settings);
}

/** What only another feature (an Organizations onboarding) gives a new connection. */
export interface CreateConnectionOptions {
  /** assume_role: a group's ExternalId (issueGroupExternalId) instead of a new one. */
  groupExternalIdId?: string;
  /** Grants beside the creator's editor and executor ones. */
  grants?: Grant[];
}

export async function createConnection(
  deps: ConnectionDeps,
  context: RequestContext,
  principal: Principal,
  input: CreateConnectionInput,
  options: CreateConnectionOptions = {},
): Promise<ConnectionRecord> {
  await requireEndpointSetter(deps, principal, input.endpoint);
  if (input.endpoint !== undefined) await checkEndpoint(deps, principal.orgId, input.endpoint);
  const now = deps.clock.now();
  try {
    return await deps.db.transaction().execute(async (tx) => {
      const projectId = await projectIdOf(tx, principal, input.project);
      const settings = await toStoredSettings(tx, principal, settingsOf(input), projectId);
      const externalIdId =
        input.method !== "assume_role"
          ? null
          : (options.groupExternalIdId ??
            (await claimExternalId(tx, principal, input.externalId, now)));
      const id = newId(now.getTime());
      const subject =
        input.method === "web_identity"
          ? await claimWebIdentitySubject(
              tx,
              principal,
              { name: input.name, connectionId: id, confirmReuse: input.confirmSubjectReuse },
              { actor: context.actor, now },
            )
          : undefined;
      const row: ConnectionTable = {
        id,
        org_id: principal.orgId,
        name: input.name,
        method: settings.method,
        settings: JSON.stringify(settings),
        access: input.access,
        regions: JSON.stringify(input.regions),
        endpoint: input.endpoint ?? null,
        tags: JSON.stringify(input.tags),
        project_id: projectId,
        account_id: null,
        health: null,
        external_id_id: externalIdId,
        created_at: now.toISOString(),
        created_by: context.actor,
        updated_at: now.toISOString(),
      };
      await tx.insertInto("connections").values(row).execute();
      // Whoever connects an account may change and use it; others get what the create names.
      const granted = input.grants ?? [];
      await assertPrincipalsExist(tx, principal.orgId, granted, "grants.");
      await replaceGrants(
        tx,
        row.id,
        [
          { principal: `user:${principal.userName}`, role: "editor" },
          { principal: `user:${principal.userName}`, role: "executor" },
          ...granted,
          ...(options.grants ?? []),
        ],
        now,
      );
      await recordAuditEvent(
        tx,
        context,
        {
          action: "connection.create",
          objectType: "connection",
          objectId: row.name,
          detail: { method: row.method, access: row.access, ...reuseDetail(row.name, subject) },
        },
        now,
      );
      // Access given while adding is recorded as a later grant change would be.
      if (granted.length > 0) {
        await recordAuditEvent(
          tx,
          context,
          {
            action: "connection.grants.set",
            objectType: "connection",
            objectId: row.name,
            detail: { grants: await listGrants(tx, row.id) },
          },
          now,
        );
      }
      return toRecord(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new Conflict(`a connection named ${input.name} already exists`, {
        field: "name",
        cause: error,
      });
    }
    throw error;
  }
}

/** What an audit event says when a connection took over another one's web identity subject. */
function reuseDetail(name: string, claim: SubjectClaim | undefined): { reusedSubject?: string } {
  return claim === "reused" ? { reusedSubject: subjectFor(name) } : {};
}

/** A saved connection's settings in the user's words: the source connection by name. */
export async function userSettingsOf(
  db: DbOrTx,
  connection: ConnectionRecord,
): Promise<Record<string, unknown>> {
  const stored: StoredSettings = connection.settings;
  if (stored.method !== "assume_role") return { ...stored };
  const { sourceConnectionId, ...rest } = stored;
  if (sourceConnectionId === undefined) return rest;
  return { ...rest, sourceConnection: (await findConnectionById(db, sourceConnectionId)).name };
}

/** The id of the project a connection is scoped to; a project the principal is not in is not found. */
export async function projectIdOf(
  db: DbOrTx,
  principal: Principal,
  project: string | undefined,
): Promise<string | null> {
  if (project === undefined) return null;
  const row = await findProjectRow(db, principal.orgId, project);
  if (!(await isProjectMember(db, principal, row.id))) throw new NotFound(`project ${project}`);
  return row.id;
}

/** The settings that say whose identity a connection acts as. */
const CREDENTIAL_FIELDS = ["method", "accessKeyId", "secretPath", "roleArn", "sourceConnection"];

/**
 * An organization's hub connection is the identity every member role trusts, and its management
 * connection deploys them: only an org admin may change whose identity either is, or that of a
 * connection either takes its credentials from. An editor could otherwise point the hub at their
 * own AWS user. Reads the organizations table: that feature imports this one.
 */
async function refuseOrganizationAnchorChange(
  db: DbOrTx,
  principal: Principal,
  connection: ConnectionRecord,
  fields: string[],
): Promise<void> {
  const field = fields[0];
  if (principal.role === "admin" || field === undefined) return;
  const organizations = await db
    .selectFrom("organizations")
    .select(["name", "connection_id", "onboarding"])
    .where("org_id", "=", principal.orgId)
    .execute();
  for (const organization of organizations) {
    const hubId =
      organization.onboarding === null
        ? null
        : ((JSON.parse(organization.onboarding) as { hubConnectionId?: string | null })
            .hubConnectionId ?? null);
    const anchors: [string, string | null][] = [
      ["management", organization.connection_id],
      ["hub", hubId],
    ];
    for (const [role, anchorId] of anchors) {
      const seen = new Set<string>();
      let current: string | undefined = anchorId ?? undefined;
      while (current !== undefined && !seen.has(current)) {
        if (current === connection.id) {
          const how = current === anchorId ? "is" : "gives its credentials to";
          throw new Forbidden(
            `connection ${connection.name} ${how} the ${role} connection of organization ${organization.name}: only org admins may change its ${field}`,
            { field },
          );
        }
        seen.add(current);
        const next: ConnectionRecord | undefined = await findConnectionById(db, current).catch(
          () => undefined,
        );
        current =
          next?.settings.method === "assume_role" ? next.settings.sourceConnectionId : undefined;
      }
    }
  }
}

export async function updateConnection(
  deps: ConnectionDeps,
  context: RequestContext,
  principal: Principal,
  name: string,
  input: UpdateConnectionInput,
): Promise<ConnectionRecord> {
  if (input.endpoint !== undefined && input.endpoint !== null)
    await checkEndpoint(deps, principal.orgId, input.endpoint);
  // Asked before the transaction: the allow-list is read outside it.
  const mayPoint = await mayPointAt(deps, principal, input.endpoint);
  const now = deps.clock.now();
  try {
    const updated = await deps.db.transaction().execute(async (tx) => {
      const { connection, roles } = await visibleConnection(tx, principal, name);
      requireRole(roles, "editor", name);
      refuseNewEndpoint(mayPoint, input.endpoint, connection.endpoint);
      const renamed = input.name !== undefined && input.name !== connection.name;
      if (
        renamed &&
        connection.settings.method === "web_identity" &&
        input.confirmRename !== true
      ) {
        throw new Conflict(
          `renaming changes this connection's web identity subject from ${subjectFor(connection.name)} to ${subjectFor(input.name ?? "")}: update the role's trust policy, then send "confirmRename": true`,
          { field: "name" },
        );
      }
      const current = connection.settings;
      const {
        name: _n,
        confirmRename: _c,
        confirmSubjectReuse: _s,
        access: _a,
        regions: _r,
        endpoint: _e,
        tags: _t,
        ...settingChanges
      } = input;
      const merged = await userSettingsOf(tx, connection);
      const before = { ...merged };
      for (const [key, value] of Object.entries(settingChanges)) {
        if (value === null) delete merged[key];
        else if (value !== undefined) merged[key] = value;
      }
      const parsed = connectionSettingsSchema.safeParse(merged);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        // An unknown key's issue has the object's path; the field is the key itself.
        const key = issue?.code === "unrecognized_keys" ? issue.keys.slice(0, 1) : [];
        const field = [...(issue?.path ?? []), ...key].join(".") || "settings";
        throw new Invalid(`${field}: ${issue?.message ?? "invalid"} for method ${current.method}`, {
          field,
        });
      }
      const changedFields = new Set(
        Object.entries(settingChanges)
          .filter(([, value]) => value !== undefined)
          .map(([key]) => key),
      );
      await refuseOrganizationAnchorChange(tx, principal, connection, [
        ...CREDENTIAL_FIELDS.filter(
          (key) => JSON.stringify(before[key]) !== JSON.stringify(merged[key]),
        ),
        ...(input.endpoint !== undefined && input.endpoint !== connection.endpoint
          ? ["endpoint"]
          : []),
      ]);
      const settings = await toStoredSettings(tx, principal, parsed.data, connection.projectId, {
        self: connection,
        changed: changedFields,
      });
      const newName = input.name ?? connection.name;
      const subject =
        settings.method === "web_identity"
          ? await claimWebIdentitySubject(
              tx,
              principal,
              {
                name: newName,
                connectionId: connection.id,
                confirmReuse: input.confirmSubjectReuse,
              },
              { actor: context.actor, now },
            )
          : undefined;
      const changes: Partial<ConnectionTable> = {
        name: newName,
        settings: JSON.stringify(settings),
        access: input.access ?? connection.access,
        regions: JSON.stringify(input.regions ?? connection.regions),
        endpoint: input.endpoint === undefined ? connection.endpoint : input.endpoint,
        tags: JSON.stringify(input.tags ?? connection.tags),
        updated_at: now.toISOString(),
      };
      await tx.updateTable("connections").set(changes).where("id", "=", connection.id).execute();
      await recordAuditEvent(
        tx,
        context,
        {
          action: "connection.update",
          objectType: "connection",
          objectId: connection.name,
          detail: {
            fields: Object.keys(input).filter(
              (k) => input[k as keyof UpdateConnectionInput] !== undefined,
            ),
            ...(renamed ? { renamedTo: input.name } : {}),
            ...reuseDetail(newName, subject),
          },
        },
        now,
      );
      return findConnectionById(tx, connection.id);
    });
    deps.forgetCredentials(updated.id);
    return updated;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new Conflict(`a connection named ${input.name ?? name} already exists`, {
        field: "name",
        cause: error,
      });
    }
    throw error;
  }
}

export async function deleteConnection(
  deps: ConnectionDeps,
  context: RequestContext,
  principal: Principal,
  name: string,
): Promise<void> {
  const now = deps.clock.now();
  const id = await deps.db.transaction().execute(async (tx) => {
    const { connection, roles } = await visibleConnection(tx, principal, name);
    requireRole(roles, "editor", name);
    const dependents = await tx
      .selectFrom("connections")
      .select(["name", "settings"])
      .where("org_id", "=", principal.orgId)
      .where("method", "=", "assume_role")
      .execute();
    const using = dependents.filter(
      (d) =>
        (JSON.parse(d.settings) as StoredSettings & { sourceConnectionId?: string })
          .sourceConnectionId === connection.id,
    );
    if (using.length > 0) {
      throw new Conflict(
        `connection ${name} is the source of ${using.map((u) => u.name).join(", ")}; change those first`,
      );
    }
    await tx.deleteFrom("connections").where("id", "=", connection.id).execute();
    if (connection.externalIdId !== null) await dropExternalId(tx, connection.externalIdId);
    await recordAuditEvent(
      tx,
      context,
      { action: "connection.delete", objectType: "connection", objectId: name },
      now,
    );
    return connection.id;
  });
  deps.forgetCredentials(id);
}

/**
 * Gives a connection a new ExternalId (its editors): the role's trust policy must follow, and
 * credentials obtained with the old one are forgotten.
 */
export async function rotateExternalIdOf(
  deps: ConnectionDeps,
  context: RequestContext,
  principal: Principal,
  name: string,
): Promise<string> {
  const now = deps.clock.now();
  const { id, value } = await deps.db.transaction().execute(async (tx) => {
    const { connection, roles } = await visibleConnection(tx, principal, name);
    requireRole(roles, "editor", name);
    return {
      id: connection.id,
      value: await rotateConnectionExternalId(tx, context, connection, now),
    };
  });
  deps.forgetCredentials(id);
  return value;
}

/** Stores a test's outcome: the health record fan-outs use to skip or explain an account. */
export async function recordHealth(
  db: DbOrTx,
  connectionId: string,
  test: { ok: boolean; accountId: string | null } & Record<string, unknown>,
  regions: string[] | undefined,
): Promise<void> {
  await db
    .updateTable("connections")
    .set({
      health: JSON.stringify(test),
      ...(test.ok && test.accountId !== null ? { account_id: test.accountId } : {}),
      ...(regions !== undefined ? { regions: JSON.stringify(regions) } : {}),
    })
    .where("id", "=", connectionId)
    .execute();
}

/** The connections a principal holds `executor` on: what a fan-out may run on. */
export async function listExecutableConnections(
  db: DbOrTx,
  principal: Principal,
): Promise<ConnectionRecord[]> {
  const visible = await listVisibleConnections(db, principal);
  return visible.filter((v) => v.roles.includes("executor")).map((v) => v.connection);
}
