import { recordAuditEvent } from "../audit/index.js";
import type { RequestContext } from "../request-types.js";
import { isUniqueViolation, type DbOrTx } from "../db/index.js";
import { Conflict, NotFound } from "../errors.js";
import { newId } from "../ids.js";
import type { AccessDeps } from "./access-deps.js";
import type { CreateTeamInput, Team } from "./schemas.js";
import type { TeamTable } from "./tables.js";
import { removeStoredPrincipal, storedTeam } from "./stored-principals.js";
import { findUserRow } from "./users.js";

async function membersOf(db: DbOrTx, teamIds: string[]): Promise<Map<string, string[]>> {
  const members = new Map<string, string[]>(teamIds.map((id) => [id, []]));
  if (teamIds.length === 0) return members;
  const rows = await db
    .selectFrom("team_members")
    .innerJoin("users", "users.id", "team_members.user_id")
    .select(["team_members.team_id", "users.name"])
    .where("team_members.team_id", "in", teamIds)
    .orderBy("users.name")
    .execute();
  for (const row of rows) members.get(row.team_id)?.push(row.name);
  return members;
}

function toTeam(row: TeamTable, members: string[]): Team {
  return { id: row.id, name: row.name, members, createdAt: row.created_at };
}

export async function listTeams(
  db: DbOrTx,
  orgId: string,
  page: { limit: number; afterName?: string | undefined },
): Promise<Team[]> {
  let q = db.selectFrom("teams").selectAll().where("org_id", "=", orgId);
  if (page.afterName !== undefined) q = q.where("name", ">", page.afterName);
  const rows = await q
    .orderBy("name")
    .limit(page.limit + 1)
    .execute();
  const members = await membersOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toTeam(r, members.get(r.id) ?? []));
}

async function findTeamRow(db: DbOrTx, orgId: string, name: string): Promise<TeamTable> {
  const row = await db
    .selectFrom("teams")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("name", "=", name)
    .executeTakeFirst();
  if (row === undefined) throw new NotFound(`team ${name}`);
  return row;
}

export async function getTeam(db: DbOrTx, orgId: string, name: string): Promise<Team> {
  const row = await findTeamRow(db, orgId, name);
  return toTeam(row, (await membersOf(db, [row.id])).get(row.id) ?? []);
}

export async function createTeam(
  deps: AccessDeps,
  context: RequestContext,
  input: CreateTeamInput,
): Promise<Team> {
  const now = deps.clock.now();
  try {
    return await deps.db.transaction().execute(async (tx) => {
      const row: TeamTable = {
        id: newId(now.getTime()),
        org_id: context.orgId,
        name: input.name,
        created_at: now.toISOString(),
      };
      await tx.insertInto("teams").values(row).execute();
      const members = [...new Set(input.members)].sort();
      for (const member of members) {
        const user = await findUserRow(tx, context.orgId, member);
        await tx
          .insertInto("team_members")
          .values({ team_id: row.id, user_id: user.id, created_at: now.toISOString() })
          .execute();
      }
      await recordAuditEvent(
        tx,
        context,
        { action: "team.create", objectType: "team", objectId: row.name, detail: { members } },
        now,
      );
      return toTeam(row, members);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new Conflict(`a team named ${input.name} already exists`, {
        field: "name",
        cause: error,
      });
    }
    throw error;
  }
}

export async function deleteTeam(
  deps: AccessDeps,
  context: RequestContext,
  name: string,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    const row = await findTeamRow(tx, context.orgId, name);
    // Connection grants and project memberships keep the team by id (`team-id:<id>`, see
    // stored-principals.ts): they go with the team, and the audit names what was removed.
    const removed = await removeStoredPrincipal(tx, storedTeam(row.id));
    await tx.deleteFrom("teams").where("id", "=", row.id).execute();
    await recordAuditEvent(
      tx,
      context,
      {
        action: "team.delete",
        objectType: "team",
        objectId: name,
        ...(removed === undefined ? {} : { detail: removed }),
      },
      now,
    );
  });
}

/** Adds or removes one member; both are idempotent and audited. */
export async function setTeamMembership(
  deps: AccessDeps,
  context: RequestContext,
  change: { team: string; user: string; member: boolean },
): Promise<Team> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const team = await findTeamRow(tx, context.orgId, change.team);
    const user = await findUserRow(tx, context.orgId, change.user);
    await tx
      .deleteFrom("team_members")
      .where("team_id", "=", team.id)
      .where("user_id", "=", user.id)
      .execute();
    if (change.member) {
      await tx
        .insertInto("team_members")
        .values({ team_id: team.id, user_id: user.id, created_at: now.toISOString() })
        .execute();
    }
    await recordAuditEvent(
      tx,
      context,
      {
        action: change.member ? "team.member.add" : "team.member.remove",
        objectType: "team",
        objectId: team.name,
        detail: { user: user.name },
      },
      now,
    );
    return toTeam(team, (await membersOf(tx, [team.id])).get(team.id) ?? []);
  });
}

export async function teamsOfUser(db: DbOrTx, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("team_members")
    .innerJoin("teams", "teams.id", "team_members.team_id")
    .select("teams.name")
    .where("team_members.user_id", "=", userId)
    .orderBy("teams.name")
    .execute();
  return rows.map((r) => r.name);
}
