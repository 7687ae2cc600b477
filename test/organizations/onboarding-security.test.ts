import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { organizationControl, type Emulator } from "../../emulator/index.js";
import { createDb, type DbHandle } from "../../src/db/index.js";
import { migrateTo } from "../../src/db/migrate.js";
import {
  DIALECTS,
  createTestDatabase,
  describeEachDatabase,
  type TestDatabase,
} from "../helpers/databases.js";
import type { TestApp } from "../helpers/test-app.js";
import {
  addManagementConnections,
  joinDev,
  organizationApi,
  startOrganizationWorkbench,
  unique,
} from "./org-test-kit.js";
import { organizationWorld } from "./organization-world.js";

/** Three members, one per OU: 400000000001 … 400000000003. */
const MEMBERS = ["400000000001", "400000000002", "400000000003"];

interface ConnectionList {
  items: { name: string; tags: Record<string, string> }[];
}

describeEachDatabase(
  "Organizations: onboarding refuses taken names; grants name teams by id",
  (suite) => {
    let t: TestApp;
    let emulator: Emulator;
    let restoreEnv: () => void = () => undefined;

    const { tree, sync } = organizationApi(() => t);

    async function createOrganization(
      name: string,
      grants: { principal: string; role: string }[] = [],
    ) {
      const created = await t.call("POST", "/api/v1/organizations", {
        body: { name, connection: "mgmt", grants },
      });
      expect(created.statusCode, created.body).toBe(201);
      return (await tree(name)).ous.filter((ou) => ou.parentId !== null).map((ou) => ou.id);
    }

    const onboard = (name: string, ous: string[], skipAccounts: string[] = []) =>
      t.call("POST", `/api/v1/organizations/${name}/onboarding`, {
        body: {
          ous,
          regions: ["us-east-1"],
          method: "assume_role",
          hubConnection: "hub",
          skipAccounts,
        },
      });

    const connectionsOf = async (organization: string) =>
      (await t.call("GET", "/api/v1/connections"))
        .json<ConnectionList>()
        .items.filter((c) => c.tags.organization === organization);

    /** A connection made by hand, with the name a member connection of `organization` would get. */
    async function squat(organization: string, accountId: string): Promise<string> {
      const name = `${organization}-${accountId}`;
      const created = await t.call("POST", "/api/v1/connections", {
        body: {
          name,
          method: "assume_role",
          roleArn: `arn:aws:iam::${accountId}:role/switchboard-member`,
          sourceConnection: "hub",
          regions: ["us-east-1"],
          endpoint: emulator.url,
          tags: { made: "by-hand" },
        },
      });
      expect(created.statusCode, created.body).toBe(201);
      return name;
    }

    beforeAll(async () => {
      const bench = await startOrganizationWorkbench(suite.handle().db, organizationWorld(MEMBERS));
      ({ t, emulator, restoreEnv } = bench);
      await addManagementConnections(bench);
    });
    afterAll(async () => {
      restoreEnv();
      await t?.close();
      await emulator?.close();
    });

    it("refuses an onboarding (409, naming the account and the connection) when a member connection's name is taken by a connection it did not make, and creates nothing", async () => {
      const name = unique("taken");
      const ous = await createOrganization(name);
      const taken = await squat(name, MEMBERS[1] ?? "");

      const refused = await onboard(name, ous);
      expect(refused.statusCode, refused.body).toBe(409);
      const message = refused.json<{ error: { message: string } }>().error.message;
      expect(message).toContain(`account ${MEMBERS[1] ?? ""}`);
      expect(message).toContain(`connection ${taken}`);
      expect(message).toContain("Nothing was created");
      expect((await tree(name)).organization.onboarding).toBeNull();
      expect(await connectionsOf(name)).toEqual([]);

      // Skipping that account, the onboarding goes ahead and leaves the connection alone.
      const onboarded = await onboard(name, ous, [MEMBERS[1] ?? ""]);
      expect(onboarded.statusCode, onboarded.body).toBe(201);
      expect((await connectionsOf(name)).map((c) => c.name).sort()).toEqual(
        [MEMBERS[0], MEMBERS[2]].map((id) => `${name}-${id ?? ""}`),
      );
      const after = await sync(name);
      expect(after.accounts.find((a) => a.accountId === MEMBERS[1])?.connection).toBeNull();
      const kept = await t.call("GET", `/api/v1/connections/${taken}`);
      expect(kept.json<{ tags: Record<string, string> }>().tags).toEqual({ made: "by-hand" });
    });

    it("never adopts, on a reconcile, a connection named like the member connection of an account that joined since", async () => {
      const name = unique("late");
      const ous = await createOrganization(name);
      expect((await onboard(name, ous)).statusCode).toBe(201);
      const joiner = await joinDev(emulator.url, "5");
      try {
        const taken = await squat(name, joiner);

        const after = await sync(name);
        const row = after.accounts.find((a) => a.accountId === joiner);
        expect(row?.connection).toBeNull();
        expect(row?.ledger.lastError?.code).toBe("CONNECTION_NAME_TAKEN");
        expect(row?.ledger.lastError?.message).toContain(
          `a connection named ${taken} already exists`,
        );
        const kept = await t.call("GET", `/api/v1/connections/${taken}`);
        expect(kept.json<{ tags: Record<string, string> }>().tags).toEqual({ made: "by-hand" });
      } finally {
        // The organization is the file's: the other tests onboard every account it holds.
        await organizationControl.leave(emulator.url, joiner);
      }
    });

    it("keeps an organization's team grant with the team, not its name: a team deleted and created again under that name inherits nothing", async () => {
      const team = unique("ops");
      expect((await t.call("POST", "/api/v1/teams", { body: { name: team } })).statusCode).toBe(
        201,
      );
      const name = unique("grants");
      const ous = await createOrganization(name, [
        { principal: "org", role: "viewer" },
        { principal: `team:${team}`, role: "executor" },
      ]);
      expect((await tree(name)).organization.grants).toEqual([
        { principal: "org", role: "viewer" },
        { principal: `team:${team}`, role: "executor" },
      ]);

      expect((await t.call("DELETE", `/api/v1/teams/${team}`)).statusCode).toBe(204);
      expect((await t.call("POST", "/api/v1/teams", { body: { name: team } })).statusCode).toBe(
        201,
      );
      expect((await tree(name)).organization.grants).toEqual([
        { principal: "org", role: "viewer" },
      ]);

      expect((await onboard(name, ous)).statusCode).toBe(201);
      const grants = await t.call("GET", `/api/v1/connections/${name}-${MEMBERS[0] ?? ""}/grants`);
      expect(grants.statusCode, grants.body).toBe(200);
      const items = grants.json<{ items: { principal: string; role: string }[] }>().items;
      expect(items).toContainEqual({ principal: "org", role: "viewer" });
      expect(items.filter((g) => g.principal.startsWith("team:"))).toEqual([]);
    });
  },
);

describe.each(DIALECTS)("upgrading organization grants to team ids [%s]", (dialect) => {
  let database: TestDatabase | undefined;
  let handle: DbHandle | undefined;
  afterEach(async () => {
    await handle?.destroy();
    await database?.dispose();
  });

  it("stores each team grant by the team's id, keeps org and user grants, and drops a grant to a team that no longer exists", async () => {
    database = await createTestDatabase(dialect);
    handle = createDb(database.config);
    const db = handle.db;
    await migrateTo(db, "0016-inventory-views");
    const now = new Date().toISOString();
    await sql`insert into orgs (id, name, created_at) values ('org-1', 'default', ${now}), ('org-2', 'other', ${now})`.execute(
      db,
    );
    // A team of the same name in another org must not be picked.
    await sql`insert into teams (id, org_id, name, created_at) values ('team-ops', 'org-1', 'ops', ${now}), ('team-ops-2', 'org-2', 'ops', ${now})`.execute(
      db,
    );
    const grants = [
      { principal: "org", role: "viewer" },
      { principal: "user:alice", role: "editor" },
      { principal: "team:ops", role: "executor" },
      { principal: "team:gone", role: "executor" },
    ];
    await sql`insert into organizations (id, org_id, name, connection_id, call_as, aws_organization_id,
        management_account_id, tree, grants, created_at, created_by, updated_at)
      values ('o-1', 'org-1', 'acme', 'c-1', 'SELF', 'o-abc', '100000000000', '{"rootId":"r-1","ous":[]}',
        ${JSON.stringify(grants)}, ${now}, 'user:admin', ${now})`.execute(db);

    // Up to this upgrade only: 0020 stores users by id too (security-hub-and-tombstones.test.ts).
    await migrateTo(db, "0017-organization-grant-teams");
    const row = await sql<{
      grants: string;
    }>`select grants from organizations where id = 'o-1'`.execute(db);
    expect(JSON.parse(row.rows[0]?.grants ?? "null")).toEqual([
      { principal: "org", role: "viewer" },
      { principal: "user:alice", role: "editor" },
      { teamId: "team-ops", role: "executor" },
    ]);
  });
});
