import {
  namedPrincipals,
  storedPrincipalsOf,
  toStoredPrincipals,
  type Principal,
} from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import { isUniqueViolation, type Db, type DbOrTx } from "../db/index.js";
import { Conflict, NotFound } from "../errors.js";
import { newId } from "../ids.js";
import type { Clock } from "../clock.js";
import type { ProjectTable } from "./project.table.js";
import type { CreateProjectInput, Project, UpdateProjectInput } from "./schemas.js";

export interface ProjectDeps {
  db: Db;
  clock: Clock;
}

/** Each project's members as the API shows them (`user:<name>`, `team:<name>`), sorted. */
async function membersOf(
  db: DbOrTx,
  orgId: string,
  projectIds: string[],
): Promise<Map<string, string[]>> {
  const members = new Map<string, string[]>(projectIds.map((id) => [id, []]));
  if (projectIds.length === 0) return members;
  const rows = await db
    .selectFrom("project_members")
    .selectAll()
    .where("project_id", "in", projectIds)
    .execute();
  const named = await namedPrincipals(
    db,
    orgId,
    rows.map((r) => r.principal),
  );
  for (const row of rows) {
    // A member deleted since stands for nobody (deleting a user or team removes its rows).
    const name = named.get(row.principal);
    if (name !== undefined) members.get(row.project_id)?.push(name);
  }
  for (const list of members.values()) list.sort();
  return members;
}

export async function findProjectRow(
  db: DbOrTx,
  orgId: string,
  name: string,
): Promise<ProjectTable> {
  const row = await db
    .selectFrom("projects")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("name", "=", name)
    .executeTakeFirst();
  if (row === undefined) throw new NotFound(`project ${name}`);
  return row;
}

/** Admins may act on every project; members on the projects they (or a team of theirs) belong to. */
export async function isProjectMember(
  db: DbOrTx,
  principal: Principal,
  projectId: string,
): Promise<boolean> {
  if (principal.role === "admin") return true;
  const row = await db
    .selectFrom("project_members")
    .select("project_id")
    .where("project_id", "=", projectId)
    .where("principal", "in", await storedPrincipalsOf(db, principal))
    .executeTakeFirst();
  return row !== undefined;
}

export async function listProjects(db: DbOrTx, principal: Principal): Promise<Project[]> {
  let q = db
    .selectFrom("projects")
    .selectAll("projects")
    .where("projects.org_id", "=", principal.orgId);
  if (principal.role !== "admin") {
    const mine = await storedPrincipalsOf(db, principal);
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("project_members")
          .select("project_members.project_id")
          .whereRef("project_members.project_id", "=", "projects.id")
          .where("project_members.principal", "in", mine),
      ),
    );
  }
  const rows = await q.orderBy("name").execute();
  const members = await membersOf(
    db,
    principal.orgId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    members: members.get(r.id) ?? [],
    createdAt: r.created_at,
  }));
}

export async function getProject(db: DbOrTx, principal: Principal, name: string): Promise<Project> {
  const row = await findProjectRow(db, principal.orgId, name);
  // A project one is not a member of is as invisible as another org's.
  if (!(await isProjectMember(db, principal, row.id))) throw new NotFound(`project ${name}`);
  const members = (await membersOf(db, row.org_id, [row.id])).get(row.id) ?? [];
  return { id: row.id, name: row.name, members, createdAt: row.created_at };
}

/**
 * What `project_members.principal` holds for `members` (`user:<name>`, `team:<name>`): their ids
 * (`user-id:<id>`, `team-id:<id>`, see access/stored-principals.ts), never names, so a user or team
 * deleted and created again under the same name is a member of nothing. A name the org lacks is
 * refused on `members.<index>`.
 */
async function storedMembers(db: DbOrTx, orgId: string, members: string[]): Promise<string[]> {
  return [...new Set(await toStoredPrincipals(db, orgId, members, (i) => `members.${i}`))];
}

async function replaceMembers(
  db: DbOrTx,
  projectId: string,
  stored: string[],
  now: Date,
): Promise<void> {
  await db.deleteFrom("project_members").where("project_id", "=", projectId).execute();
  for (const principal of stored) {
    await db
      .insertInto("project_members")
      .values({ project_id: projectId, principal, created_at: now.toISOString() })
      .execute();
  }
}

export async function createProject(
  deps: ProjectDeps,
  context: RequestContext,
  input: CreateProjectInput,
): Promise<Project> {
  const now = deps.clock.now();
  try {
    return await deps.db.transaction().execute(async (tx) => {
      const members = await storedMembers(tx, context.orgId, input.members);
      const row: ProjectTable = {
        id: newId(now.getTime()),
        org_id: context.orgId,
        name: input.name,
        created_at: now.toISOString(),
      };
      await tx.insertInto("projects").values(row).execute();
      await replaceMembers(tx, row.id, members, now);
      await recordAuditEvent(
        tx,
        context,
        {
          action: "project.create",
          objectType: "project",
          objectId: row.name,
          detail: { members: input.members },
        },
        now,
      );
      return {
        id: row.id,
        name: row.name,
        members: [...new Set(input.members)].sort(),
        createdAt: row.created_at,
      };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new Conflict(`a project named ${input.name} already exists`, {
        field: "name",
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Renames a project and/or replaces its members. A rename changes the paths of its secrets,
 * which the caller (the key store) re-binds inside the same transaction through `onRename`.
 */
export async function updateProject(
  deps: ProjectDeps,
  context: RequestContext,
  name: string,
  input: UpdateProjectInput,
  onRename: (tx: DbOrTx, project: ProjectTable, newName: string) => Promise<void>,
): Promise<Project> {
  const now = deps.clock.now();
  try {
    return await deps.db.transaction().execute(async (tx) => {
      const row = await findProjectRow(tx, context.orgId, name);
      if (input.members !== undefined) {
        await replaceMembers(tx, row.id, await storedMembers(tx, row.org_id, input.members), now);
      }
      let newName = row.name;
      if (input.name !== undefined && input.name !== row.name) {
        newName = input.name;
        await tx.updateTable("projects").set({ name: newName }).where("id", "=", row.id).execute();
        await onRename(tx, row, newName);
      }
      await recordAuditEvent(
        tx,
        context,
        {
          action: "project.update",
          objectType: "project",
          objectId: row.name,
          detail: {
            ...(newName === row.name ? {} : { renamedTo: newName }),
            ...(input.members === undefined ? {} : { members: input.members }),
          },
        },
        now,
      );
      const members = (await membersOf(tx, row.org_id, [row.id])).get(row.id) ?? [];
      return { id: row.id, name: newName, members, createdAt: row.created_at };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new Conflict(`a project named ${input.name ?? name} already exists`, {
        field: "name",
        cause: error,
      });
    }
    throw error;
  }
}

/** Refuses to delete a project that still holds secrets, so none is lost by accident. */
export async function deleteProject(
  deps: ProjectDeps,
  context: RequestContext,
  name: string,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    const row = await findProjectRow(tx, context.orgId, name);
    const secret = await tx
      .selectFrom("secrets")
      .select("path")
      .where("project_id", "=", row.id)
      .executeTakeFirst();
    if (secret !== undefined) {
      throw new Conflict(`project ${name} still holds secrets (${secret.path}); delete them first`);
    }
    await tx.deleteFrom("projects").where("id", "=", row.id).execute();
    await recordAuditEvent(
      tx,
      context,
      { action: "project.delete", objectType: "project", objectId: name },
      now,
    );
  });
}
