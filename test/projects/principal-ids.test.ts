import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateToLatest, type DbHandle } from "../../src/db/index.js";
import { migrateTo } from "../../src/db/migrate.js";
import {
  DIALECTS,
  createTestDatabase,
  describeEachDatabase,
  type TestDatabase,
} from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

interface Project {
  name: string;
  members: string[];
}
interface Items<T> {
  items: T[];
}

describeEachDatabase(
  "project members, project secrets and access requests keep people by id",
  (suite) => {
    let t: TestApp;
    let counter = 0;
    const unique = (base: string) => `${base}-${++counter}-${suite.dialect.slice(0, 2)}`;

    beforeAll(async () => {
      t = await createTestApp(suite.handle().db);
    });
    afterAll(() => t.close());

    async function projectWith(members: string[]): Promise<string> {
      const name = unique("proj");
      const created = await t.call("POST", "/api/v1/projects", { body: { name, members } });
      expect(created.statusCode, created.body).toBe(201);
      const secret = await t.call("POST", "/api/v1/secrets", {
        body: { path: `keys/project/${name}/db-password`, value: "s3cret-value-9f1c" },
      });
      expect(secret.statusCode, secret.body).toBe(201);
      return name;
    }

    /** What `token` may do in `project`: see it, list its secrets, write one. */
    async function reach(token: string, project: string) {
      const seen = await t.call("GET", `/api/v1/projects/${project}`, { token });
      const listed = (await t.call("GET", "/api/v1/projects", { token })).json<Items<Project>>();
      const secrets = (
        await t.call("GET", `/api/v1/secrets?prefix=keys/project/${project}/`, { token })
      ).json<Items<{ path: string }>>();
      const write = await t.call("POST", "/api/v1/secrets", {
        token,
        body: { path: `keys/project/${project}/other`, value: "written-by-member", replace: true },
      });
      return {
        project: seen.statusCode,
        listed: listed.items.some((p) => p.name === project),
        secrets: secrets.items.map((s) => s.path),
        write: write.statusCode,
      };
    }

    const storedMembers = async (project: string) =>
      (
        await suite
          .handle()
          .db.selectFrom("project_members")
          .innerJoin("projects", "projects.id", "project_members.project_id")
          .select("project_members.principal")
          .where("projects.name", "=", project)
          .execute()
      ).map((r) => r.principal);

    it("gives a team deleted and created again under the same name neither the project nor its secrets, and audits what the deletion removed", async () => {
      const team = unique("ops");
      const member = unique("nina");
      const nina = await signInAsMember(t, member, [team]);
      const project = await projectWith([`team:${team}`]);
      expect(await reach(nina, project)).toEqual({
        project: 200,
        listed: true,
        secrets: [`keys/project/${project}/db-password`],
        write: 201,
      });
      expect((await storedMembers(project)).every((p) => p.startsWith("team-id:"))).toBe(true);

      expect((await t.call("DELETE", `/api/v1/teams/${team}`)).statusCode).toBe(204);
      const audit = await t.call("GET", `/api/v1/audit?action=team.delete&objectId=${team}`);
      expect(audit.json<Items<{ detail: unknown }>>().items[0]?.detail).toEqual({
        projectMembershipsRemoved: [project],
      });
      const again = await t.call("POST", "/api/v1/teams", {
        body: { name: team, members: [member] },
      });
      expect(again.statusCode, again.body).toBe(201);

      expect(await reach(nina, project)).toEqual({
        project: 404,
        listed: false,
        secrets: [],
        write: 404,
      });
      const shown = await t.call("GET", `/api/v1/projects/${project}`);
      expect(shown.json<Project>().members).toEqual([]);
      expect(await storedMembers(project)).toEqual([]);
    });

    it("gives a user deleted and created again under the same name neither the project, its secrets, the connection grants nor the access requests of the old one", async () => {
      const name = unique("sam");
      const sam = await signInAsMember(t, name);
      const project = await projectWith([`user:${name}`]);
      const connection = unique("conn");
      const created = await t.call("POST", "/api/v1/connections", {
        body: {
          name: connection,
          method: "ambient",
          grants: [{ principal: `user:${name}`, role: "viewer" }],
        },
      });
      expect(created.statusCode, created.body).toBe(201);
      const asked = await t.call("POST", `/api/v1/connections/${connection}/access-requests`, {
        token: sam,
        body: { reason: "rotate the role" },
      });
      expect(asked.statusCode, asked.body).toBe(201);
      const requestId = asked.json<{ id: string; requester: string }>().id;
      expect(asked.json<{ requester: string }>().requester).toBe(`user:${name}`);
      expect((await reach(sam, project)).project).toBe(200);
      expect(
        (await t.call("GET", `/api/v1/connections/${connection}`, { token: sam })).statusCode,
      ).toBe(200);

      expect((await t.call("DELETE", `/api/v1/users/${name}`)).statusCode).toBe(204);
      const audit = await t.call("GET", `/api/v1/audit?action=user.delete&objectId=${name}`);
      expect(audit.json<Items<{ detail: unknown }>>().items[0]?.detail).toEqual({
        connectionGrantsRemoved: [{ connection, role: "viewer" }],
        projectMembershipsRemoved: [project],
      });
      const samAgain = await signInAsMember(t, name);

      expect(await reach(samAgain, project)).toEqual({
        project: 404,
        listed: false,
        secrets: [],
        write: 404,
      });
      expect(
        (await t.call("GET", `/api/v1/connections/${connection}`, { token: samAgain })).statusCode,
      ).toBe(404);
      const theirs = await t.call("GET", "/api/v1/access-requests", { token: samAgain });
      expect(theirs.json<Items<unknown>>().items).toEqual([]);
      // The old request went with its user: granting it cannot hand the new one an editor role.
      expect((await t.call("POST", `/api/v1/access-requests/${requestId}/grant`)).statusCode).toBe(
        404,
      );
      const grants = await t.call("GET", `/api/v1/connections/${connection}/grants`);
      expect(
        grants.json<Items<{ principal: string }>>().items.map((g) => g.principal),
      ).not.toContain(`user:${name}`);
    });

    it("takes and shows names (sorted, current), refuses an unknown one on its field, and follows a rename", async () => {
      const team = unique("sre");
      const user = unique("ana");
      const ana = await signInAsMember(t, user, [team]);
      const name = unique("proj");
      const created = await t.call("POST", "/api/v1/projects", {
        body: { name, members: [`user:${user}`, `team:${team}`, `user:${user}`] },
      });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json<Project>().members).toEqual([`team:${team}`, `user:${user}`]);
      expect((await t.call("GET", `/api/v1/projects/${name}`)).json<Project>().members).toEqual([
        `team:${team}`,
        `user:${user}`,
      ]);

      const unknown = await t.call("PATCH", `/api/v1/projects/${name}`, {
        body: { members: [`team:${team}`, "team:nobody-here"] },
      });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json<{ error: { field: string } }>().error.field).toBe("members.1");
      const patched = await t.call("PATCH", `/api/v1/projects/${name}`, {
        body: { members: [`team:${team}`] },
      });
      expect(patched.json<Project>().members).toEqual([`team:${team}`]);

      // No route renames a team yet; the membership must follow the team whatever its name.
      const renamed = unique("platform");
      await suite
        .handle()
        .db.updateTable("teams")
        .set({ name: renamed })
        .where("name", "=", team)
        .execute();
      expect(
        (await t.call("GET", `/api/v1/projects/${name}`, { token: ana })).json<Project>(),
      ).toMatchObject({
        members: [`team:${renamed}`],
      });
      const squatter = await signInAsMember(t, unique("sol"), [team]);
      expect(
        (await t.call("GET", `/api/v1/projects/${name}`, { token: squatter })).statusCode,
      ).toBe(404);
    });
  },
);

describe.each(DIALECTS)(
  "upgrading project members, user grants and requesters to ids [%s]",
  (dialect) => {
    let database: TestDatabase | undefined;
    let handle: DbHandle | undefined;
    afterEach(async () => {
      await handle?.destroy();
      await database?.dispose();
    });

    it("maps names to that org's ids and drops rows naming a user or team that no longer exists", async () => {
      database = await createTestDatabase(dialect);
      handle = createDb(database.config);
      const db = handle.db;
      await migrateTo(db, "0020-organization-grant-users");
      const now = new Date().toISOString();
      await sql`insert into orgs (id, name, created_at) values ('org-1', 'default', ${now}), ('org-2', 'other', ${now})`.execute(
        db,
      );
      // The same names in another org must not be picked.
      await sql`insert into users (id, org_id, name, role, created_at, updated_at) values
      ('u-alice', 'org-1', 'alice', 'member', ${now}, ${now}),
      ('u-alice-2', 'org-2', 'alice', 'member', ${now}, ${now})`.execute(db);
      await sql`insert into teams (id, org_id, name, created_at) values
      ('t-ops', 'org-1', 'ops', ${now}), ('t-ops-2', 'org-2', 'ops', ${now})`.execute(db);
      await sql`insert into projects (id, org_id, name, created_at) values ('p-1', 'org-1', 'web', ${now})`.execute(
        db,
      );
      for (const principal of ["user:alice", "team:ops", "user:gone", "team:gone"]) {
        await sql`insert into project_members (project_id, principal, created_at)
        values ('p-1', ${principal}, ${now})`.execute(db);
      }
      await sql`insert into connections (id, org_id, name, method, settings, access, regions, tags, created_at, created_by, updated_at)
      values ('c-1', 'org-1', 'prod', 'ambient', '{}', 'read', '[]', '{}', ${now}, 'user:admin', ${now})`.execute(
        db,
      );
      for (const [principal, role] of [
        ["org", "viewer"],
        ["user:alice", "editor"],
        ["user:alice", "executor"],
        ["team-id:t-ops", "executor"],
        ["user:gone", "viewer"],
      ] as const) {
        await sql`insert into connection_grants (connection_id, principal, role, created_at)
        values ('c-1', ${principal}, ${role}, ${now})`.execute(db);
      }
      for (const [id, requester] of [
        ["r-1", "user:alice"],
        ["r-2", "user:gone"],
      ] as const) {
        await sql`insert into access_requests (id, org_id, connection_id, requester, reason, status, created_at)
        values (${id}, 'org-1', 'c-1', ${requester}, 'why', 'pending', ${now})`.execute(db);
      }

      await migrateToLatest(db);
      const members = await sql<{
        principal: string;
      }>`select principal from project_members where project_id = 'p-1' order by principal`.execute(
        db,
      );
      expect(members.rows.map((r) => r.principal)).toEqual(["team-id:t-ops", "user-id:u-alice"]);
      const grants = await sql<{
        principal: string;
        role: string;
      }>`select principal, role from connection_grants where connection_id = 'c-1' order by principal, role`.execute(
        db,
      );
      expect(grants.rows).toEqual([
        { principal: "org", role: "viewer" },
        { principal: "team-id:t-ops", role: "executor" },
        { principal: "user-id:u-alice", role: "editor" },
        { principal: "user-id:u-alice", role: "executor" },
      ]);
      const requests = await sql<{
        id: string;
        requester: string;
      }>`select id, requester from access_requests order by id`.execute(db);
      expect(requests.rows).toEqual([{ id: "r-1", requester: "user-id:u-alice" }]);
    });
  },
);
