import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import { isUniqueViolation, type Db, type DbOrTx } from "../db/index.js";
import { Conflict, Invalid, NotFound } from "../errors.js";
import { newId } from "../ids.js";
import type { Clock } from "../clock.js";
import type { ProjectTable } from "./project.table.js";
import type { CreateProjectInput, Project, UpdateProjectInput } from "./schemas.js";

export interface ProjectDeps {
  db: Db;
  clock: Clock;
}

async function membersOf(db: DbOrTx, projectIds: string[]): Promise<Map<string, string[]>> {
  const members = new Map<string, string[]>(projectIds.map((id) => [id, []]));
  if (projectIds.length === 0) return members;
  const rows = await db
    .selectFrom("project_members")
    .selectAll()
    .where("project_id", "in", projectIds)
    .orderBy("principal")
    .execute();
  for (const row of rows) members.get(row.project_id)?.push(row.principal);
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

/** The principal strings that stand for a user: `user:<name>` and each `team:<name>`. */
export async function principalStrings(db: DbOrTx, principal: Principal): Promise<string[]> {
  const teams = await db
    .selectFrom("team_members")
    .innerJoin("teams", "teams.id", "team_members.team_id")
    .select("teams.name")
    .where("team_members.user_id", "=", principal.userId)
    .execute();
  return [`user:${principal.userName}`, ...teams.map((t) => `team:${t.name}`)];
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
    .where("principal", "in", await principalStrings(db, principal))
    .executeTakeFirst();
  return row !== undefined;
}

export async function listProjects(db: DbOrTx, principal: Principal): Promise<Project[]> {
  let q = db
    .selectFrom("projects")
    .selectAll("projects")
    .where("projects.org_id", "=", principal.orgId);
  if (principal.role !== "admin") {
    const mine = await principalStrings(db, principal);
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
  const members = (await membersOf(db, [row.id])).get(row.id) ?? [];
  return { id: row.id, name: row.name, members, createdAt: row.created_at };
}

async function assertMembersExist(db: DbOrTx, orgId: string, members: string[]): Promise<void> {
  for (const [index, member] of members.entries()) {
    const [kind, name] = member.split(":") as [string, string];
    const table = kind === "user" ? "users" : "teams";
    const found = await db
      .selectFrom(table)
      .select("id")
      .where("org_id", "=", orgId)
      .where("name", "=", name)
      .executeTakeFirst();
    if (found === undefined)
      throw new Invalid(`${member} does not exist in this org`, { field: `members.${index}` });
  }
}

async function replaceMembers(
  db: DbOrTx,
  projectId: string,
  members: string[],
  now: Date,
): Promise<void> {
  await db.deleteFrom("project_members").where("project_id", "=", projectId).execute();
  for (const principal of [...new Set(members)]) {
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
      await assertMembersExist(tx, context.orgId, input.members);
      const row: ProjectTable = {
        id: newId(now.getTime()),
        org_id: context.orgId,
        name: input.name,
        created_at: now.toISOString(),
      };
      await tx.insertInto("projects").values(row).execute();
      await replaceMembers(tx, row.id, input.members, now);
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
        await assertMembersExist(tx, context.orgId, input.members);
        await replaceMembers(tx, row.id, input.members, now);
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
      const members = (await membersOf(tx, [row.id])).get(row.id) ?? [];
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
