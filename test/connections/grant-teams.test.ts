import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "../../src/db/index.js";
import { migrateTo } from "../../src/db/migrate.js";
import {
  DIALECTS,
  createTestDatabase,
  describeEachDatabase,
  type TestDatabase,
} from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

interface Grants {
  items: { principal: string; role: string }[];
}

describeEachDatabase("connection grants keep a team by its id", (suite) => {
  let t: TestApp;
  let counter = 0;
  const unique = (base: string) => `${base}-${++counter}-${suite.dialect}`;

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
  });
  afterAll(() => t.close());

  async function connectionGrantingTeam(team: string): Promise<string> {
    const name = unique("conn");
    const created = await t.call("POST", "/api/v1/connections", {
      body: {
        name,
        method: "ambient",
        grants: [{ principal: `team:${team}`, role: "executor" }],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    return name;
  }

  async function teamNamed(name: string): Promise<string> {
    const created = await t.call("POST", "/api/v1/teams", { body: { name } });
    expect(created.statusCode, created.body).toBe(201);
    return name;
  }

  const grantsOf = async (connection: string) =>
    (await t.call("GET", `/api/v1/connections/${connection}/grants`)).json<Grants>().items;

  it("gives a team deleted and created again under the same name none of the old team's grants, and audits what the deletion removed", async () => {
    const team = unique("ops");
    const member = unique("nina");
    const nina = await signInAsMember(t, member, [team]);
    const connection = await connectionGrantingTeam(team);
    const seen = await t.call("GET", `/api/v1/connections/${connection}`, { token: nina });
    expect(seen.json<{ myRoles: string[] }>().myRoles).toEqual(["viewer", "executor"]);
    expect(await grantsOf(connection)).toContainEqual({
      principal: `team:${team}`,
      role: "executor",
    });

    expect((await t.call("DELETE", `/api/v1/teams/${team}`)).statusCode).toBe(204);
    const again = await t.call("POST", "/api/v1/teams", {
      body: { name: team, members: [member] },
    });
    expect(again.statusCode, again.body).toBe(201);

    expect(
      (await t.call("GET", `/api/v1/connections/${connection}`, { token: nina })).statusCode,
    ).toBe(404);
    expect((await grantsOf(connection)).filter((g) => g.principal.startsWith("team:"))).toEqual([]);
    const stored = await suite
      .handle()
      .db.selectFrom("connection_grants")
      .innerJoin("connections", "connections.id", "connection_grants.connection_id")
      .select("connection_grants.principal")
      .where("connections.name", "=", connection)
      .execute();
    expect(stored.map((r) => r.principal).filter((p) => !p.startsWith("user-id:"))).toEqual([]);

    const audit = await t.call("GET", `/api/v1/audit?action=team.delete&objectId=${team}`);
    const events = audit.json<{ items: { detail: unknown }[] }>().items;
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toEqual({
      connectionGrantsRemoved: [{ connection, role: "executor" }],
    });
  });

  it("keeps a renamed team's grants, shown under its new name", async () => {
    const team = unique("sre");
    const renamed = unique("platform");
    const member = unique("omar");
    const omar = await signInAsMember(t, member, [team]);
    const connection = await connectionGrantingTeam(team);
    // No route renames a team yet; the stored grant must follow the team whatever its name.
    await suite
      .handle()
      .db.updateTable("teams")
      .set({ name: renamed })
      .where("name", "=", team)
      .execute();

    expect(await grantsOf(connection)).toContainEqual({
      principal: `team:${renamed}`,
      role: "executor",
    });
    const seen = await t.call("GET", `/api/v1/connections/${connection}`, { token: omar });
    expect(seen.json<{ myRoles: string[] }>().myRoles).toEqual(["viewer", "executor"]);
    // A new team under the old name gets nothing.
    const squatter = unique("sam");
    const sam = await signInAsMember(t, squatter, [team]);
    expect(
      (await t.call("GET", `/api/v1/connections/${connection}`, { token: sam })).statusCode,
    ).toBe(404);
  });

  it("refuses a grant to a team the org lacks, naming the field", async () => {
    const connection = await connectionGrantingTeam(await teamNamed(unique("dba")));
    const set = await t.call("PUT", `/api/v1/connections/${connection}/grants`, {
      body: [{ principal: "team:nobody-here", role: "viewer" }],
    });
    expect(set.statusCode).toBe(400);
    expect(set.body).toContain("0.principal");
  });
});

describe.each(DIALECTS)("upgrading connection grants to team ids [%s]", (dialect) => {
  let database: TestDatabase | undefined;
  let handle: DbHandle | undefined;
  afterEach(async () => {
    await handle?.destroy();
    await database?.dispose();
  });

  it("maps each team grant to that org's team id, keeps org and user grants, and drops a grant to a team that no longer exists", async () => {
    database = await createTestDatabase(dialect);
    handle = createDb(database.config);
    const db = handle.db;
    await migrateTo(db, "0017-organization-grant-teams");
    const now = new Date().toISOString();
    await sql`insert into orgs (id, name, created_at) values ('org-1', 'default', ${now}), ('org-2', 'other', ${now})`.execute(
      db,
    );
    // A team of the same name in another org must not be picked.
    await sql`insert into teams (id, org_id, name, created_at) values ('team-ops', 'org-1', 'ops', ${now}), ('team-ops-2', 'org-2', 'ops', ${now})`.execute(
      db,
    );
    await sql`insert into connections (id, org_id, name, method, settings, access, regions, tags, created_at, created_by, updated_at)
      values ('c-1', 'org-1', 'prod', 'ambient', '{}', 'read', '[]', '{}', ${now}, 'user:admin', ${now})`.execute(
      db,
    );
    for (const [principal, role] of [
      ["org", "viewer"],
      ["user:alice", "editor"],
      ["team:ops", "executor"],
      ["team:ops", "viewer"],
      ["team:gone", "executor"],
    ] as const) {
      await sql`insert into connection_grants (connection_id, principal, role, created_at)
        values ('c-1', ${principal}, ${role}, ${now})`.execute(db);
    }

    // Up to 0018 only: 0021 moves user grants to ids (test/projects/principal-ids.test.ts).
    await migrateTo(db, "0018-connection-grant-teams");
    const rows = await sql<{
      principal: string;
      role: string;
    }>`select principal, role from connection_grants where connection_id = 'c-1' order by principal, role`.execute(
      db,
    );
    expect(rows.rows).toEqual([
      { principal: "org", role: "viewer" },
      { principal: "team-id:team-ops", role: "executor" },
      { principal: "team-id:team-ops", role: "viewer" },
      { principal: "user:alice", role: "editor" },
    ]);
  });
});
