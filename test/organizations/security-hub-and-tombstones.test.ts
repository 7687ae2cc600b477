import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Emulator, WorldInput } from "../../emulator/index.js";
import { createDb, migrateToLatest, type DbHandle } from "../../src/db/index.js";
import { migrateTo } from "../../src/db/migrate.js";
import {
  DIALECTS,
  createTestDatabase,
  describeEachDatabase,
  type TestDatabase,
} from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import type { TestApp } from "../helpers/test-app.js";
import { hubAccount } from "../helpers/worlds.js";
import {
  addManagementConnections,
  errorOf,
  joinDev,
  ok,
  organizationApi,
  startOrganizationWorkbench,
  unique,
} from "./org-test-kit.js";
import { HUB, organizationWorld } from "./organization-world.js";

const MEMBERS = ["600000000001", "600000000002", "600000000003"];
/** The hub's own user, in Switchboard's account. */
const HUB_KEY = { id: "AKIAHUBUSER000000001", secret: "hub-user-secret-00000000000000000000000" };
/** An editor's own AWS user, outside the organization. */
const MALLORY_ACCOUNT = "999900000000";
const MALLORY_KEY = {
  id: "AKIAMALLORY000000001",
  secret: "mallory-secret-000000000000000000000000",
};
const MALLORY_ARN = `arn:aws:iam::${MALLORY_ACCOUNT}:user/mallory`;

function world(): WorldInput {
  return organizationWorld(MEMBERS, {
    hub: {
      ...hubAccount(HUB),
      roles: [
        ...hubAccount(HUB).roles,
        {
          name: "hub-role",
          trust: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${HUB}:user/switchboard` },
                Action: "sts:AssumeRole",
              },
            ],
          },
          policies: [
            {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
            },
          ],
        },
      ],
      users: [
        {
          name: "switchboard",
          accessKeys: [HUB_KEY],
          policies: [
            {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
            },
          ],
        },
      ],
    },
    outsiders: [
      {
        id: MALLORY_ACCOUNT,
        name: "mallory",
        users: [{ name: "mallory", accessKeys: [MALLORY_KEY], policies: [] }],
      },
    ],
  });
}

describeEachDatabase(
  "Organizations security: the hub's trusted identity, the organization read, deleted organizations",
  (suite) => {
    let t: TestApp;
    let emulator: Emulator;
    let restoreEnv: () => void = () => undefined;

    const { tree, sync } = organizationApi(() => t);

    /** A hub of its own (the hub account's user), tested. */
    async function newHub(): Promise<string> {
      const hub = unique("hub");
      ok(
        await t.call("POST", "/api/v1/connections", {
          body: {
            name: hub,
            method: "access_key",
            accessKeyId: HUB_KEY.id,
            secretPath: "keys/system/hub",
            regions: ["us-east-1"],
            endpoint: emulator.url,
          },
        }),
      );
      const tested = await t.call("POST", `/api/v1/connections/${hub}/test`);
      expect(tested.json<{ ok: boolean }>().ok, tested.body).toBe(true);
      return hub;
    }

    async function onboardedOrganization(
      method: "web_identity" | "assume_role",
      hub?: string,
    ): Promise<string> {
      const name = unique("org");
      ok(
        await t.call("POST", "/api/v1/organizations", {
          body: { name, connection: "mgmt", grants: [] },
        }),
      );
      const ous = (await tree(name)).ous.filter((ou) => ou.parentId !== null).map((ou) => ou.id);
      ok(
        await t.call("POST", `/api/v1/organizations/${name}/onboarding`, {
          body: {
            ous,
            regions: ["us-east-1"],
            method,
            ...(hub === undefined ? {} : { hubConnection: hub }),
          },
        }),
      );
      return name;
    }

    const templateBody = async (name: string) => {
      const response = await t.call("GET", `/api/v1/organizations/${name}/template`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{ body: string }>().body;
    };

    const join = () => joinDev(emulator.url, "7");

    beforeAll(async () => {
      const bench = await startOrganizationWorkbench(suite.handle().db, world());
      ({ t, emulator, restoreEnv } = bench);
      for (const [path, value] of [
        ["keys/system/hub", HUB_KEY.secret],
        ["keys/system/mallory", MALLORY_KEY.secret],
      ]) {
        ok(await t.call("POST", "/api/v1/secrets", { body: { path, value } }));
      }
      await addManagementConnections(bench, { hub: false });
    });
    afterAll(async () => {
      restoreEnv();
      await t?.close();
      await emulator?.close();
    });

    it("refuses (403, naming the field) an editor who re-points an organization's hub or management connection, and the template keeps trusting the onboarded identity", async () => {
      const hub = await newHub();
      const organization = await onboardedOrganization("assume_role", hub);
      const before = await templateBody(organization);
      const mallory = unique("mallory");
      const token = await signInAsMember(t, mallory);
      for (const connection of [hub, "mgmt"]) {
        ok(
          await t.call("PUT", `/api/v1/connections/${connection}/grants`, {
            body: [
              { principal: `user:${mallory}`, role: "editor" },
              { principal: `user:${mallory}`, role: "executor" },
            ],
          }),
          200,
        );
      }

      // Her own key, with the secret the hub already uses: no other rule stops this one.
      const repointed = await t.call("PATCH", `/api/v1/connections/${hub}`, {
        token,
        body: { accessKeyId: MALLORY_KEY.id },
      });
      expect(repointed.statusCode, repointed.body).toBe(403);
      expect(errorOf(repointed)).toMatchObject({ code: "FORBIDDEN", field: "accessKeyId" });
      expect(errorOf(repointed).message).toContain(
        `is the hub connection of organization ${organization}`,
      );
      const newSecret = await t.call("PATCH", "/api/v1/connections/mgmt", {
        token,
        body: { secretPath: "keys/system/hub" },
      });
      expect(newSecret.statusCode, newSecret.body).toBe(403);
      expect(errorOf(newSecret)).toMatchObject({ field: "secretPath" });
      expect(errorOf(newSecret).message).toContain("management connection");

      // What says nothing about whose identity it is stays the editor's to change.
      const retagged = await t.call("PATCH", `/api/v1/connections/${hub}`, {
        token,
        body: { tags: { team: "platform" } },
      });
      expect(retagged.statusCode, retagged.body).toBe(200);
      const stored = await t.call("GET", `/api/v1/connections/${hub}`);
      expect(stored.json<{ accessKeyId: string }>().accessKeyId).toBe(HUB_KEY.id);
      expect(await templateBody(organization)).toBe(before);
    });

    it("refuses an editor who re-points the connection a hub takes its credentials from; the template names the hub's role, not its session", async () => {
      const source = await newHub();
      const hub = unique("hub-role");
      ok(
        await t.call("POST", "/api/v1/connections", {
          body: {
            name: hub,
            method: "assume_role",
            roleArn: `arn:aws:iam::${HUB}:role/hub-role`,
            sourceConnection: source,
            regions: ["us-east-1"],
            endpoint: emulator.url,
          },
        }),
      );
      const tested = await t.call("POST", `/api/v1/connections/${hub}/test`);
      expect(tested.json<{ ok: boolean }>().ok, tested.body).toBe(true);
      const organization = await onboardedOrganization("assume_role", hub);
      const before = await templateBody(organization);
      expect(before).toContain(`"arn:aws:iam::${HUB}:role/hub-role"`);

      const mallory = unique("mallory");
      const token = await signInAsMember(t, mallory);
      ok(
        await t.call("PUT", `/api/v1/connections/${source}/grants`, {
          body: [{ principal: `user:${mallory}`, role: "editor" }],
        }),
        200,
      );
      const repointed = await t.call("PATCH", `/api/v1/connections/${source}`, {
        token,
        body: { accessKeyId: MALLORY_KEY.id },
      });
      expect(repointed.statusCode, repointed.body).toBe(403);
      expect(errorOf(repointed)).toMatchObject({ code: "FORBIDDEN", field: "accessKeyId" });
      expect(errorOf(repointed).message).toContain(
        `gives its credentials to the hub connection of organization ${organization}`,
      );
      expect(await templateBody(organization)).toBe(before);
    });

    it("builds the template from the hub's identity when onboarded, and refuses a deploy (409) once the hub tests as another identity", async () => {
      const hub = await newHub();
      const organization = await onboardedOrganization("assume_role", hub);
      const before = await templateBody(organization);
      expect(before).toContain(`arn:aws:iam::${HUB}:user/switchboard`);

      // An org admin may re-point it; the member roles' template does not follow.
      ok(
        await t.call("PATCH", `/api/v1/connections/${hub}`, {
          body: { accessKeyId: MALLORY_KEY.id, secretPath: "keys/system/mallory" },
        }),
        200,
      );
      const tested = await t.call("POST", `/api/v1/connections/${hub}/test`);
      expect(tested.json<{ ok: boolean; arn?: string }>(), tested.body).toMatchObject({
        ok: true,
        arn: MALLORY_ARN,
      });
      expect(await templateBody(organization)).toBe(before);

      const refused = await t.call("POST", `/api/v1/organizations/${organization}/deploy`, {
        body: { region: "us-east-1" },
      });
      expect(refused.statusCode, refused.body).toBe(409);
      expect(errorOf(refused).field).toBe("hubConnection");
      expect(errorOf(refused).message).toContain(`now tests as ${MALLORY_ARN}`);
      expect(errorOf(refused).message).toContain("Nothing was deployed");
      expect((await tree(organization)).organization.deployment).toBeNull();
    });

    it("fails the reconcile, changing nothing, when the management connection reads another organization than the one stored", async () => {
      const organization = await onboardedOrganization("web_identity");
      const { ous } = await tree(organization);
      await suite
        .handle()
        .db.updateTable("organizations")
        .set({ aws_organization_id: "o-elsewhere000" })
        .where("name", "=", organization)
        .execute();
      const joiner = await join();

      const after = await sync(organization);
      expect(after.organization.lastSync).toMatchObject({
        status: "failed",
        error: { code: "ORGANIZATION_CHANGED" },
      });
      expect(after.organization.lastSync?.error?.message).toContain("Nothing was changed");
      expect(after.accounts.map((a) => a.accountId)).not.toContain(joiner);
      expect(after.ous).toEqual(ous);
      expect(after.organization.awsOrganizationId).toBe("o-elsewhere000");
    });

    it("keeps a deleted web_identity organization's member names reserved (its StackSet stays in AWS); a deleted assume_role one's are free", async () => {
      const byIdentity = await onboardedOrganization("web_identity");
      const byRole = await onboardedOrganization("assume_role", await newHub());
      ok(await t.call("DELETE", `/api/v1/organizations/${byIdentity}`), 204);
      ok(await t.call("DELETE", `/api/v1/organizations/${byRole}`), 204);
      const token = await signInAsMember(t, unique("mallory"));
      const webIdentity = (name: string) => ({
        name,
        method: "web_identity",
        roleArn: `arn:aws:iam::${MEMBERS[0] ?? ""}:role/switchboard-member`,
        regions: ["us-east-1"],
      });

      const joiner = `${byIdentity}-777700000001`;
      for (const caller of [token, undefined]) {
        const refused = await t.call("POST", "/api/v1/connections", {
          ...(caller === undefined ? {} : { token: caller }),
          body: webIdentity(joiner),
        });
        expect(refused.statusCode, refused.body).toBe(409);
        expect(errorOf(refused)).toMatchObject({
          code: "WEB_IDENTITY_SUBJECT_RESERVED",
          field: "name",
        });
        expect(errorOf(refused).message).toContain(`deleted organization ${byIdentity}`);
        expect(errorOf(refused).message).toContain(`switchboard:connection/${joiner}`);
      }
      const free = await t.call("POST", "/api/v1/connections", {
        token,
        body: webIdentity(`${byRole}-777700000001`),
      });
      expect(free.statusCode, free.body).toBe(201);
    });

    it("keeps an organization's user grant with the user, not the name: a user deleted and created again under it gets no member connections", async () => {
      const bob = unique("bob");
      const carol = unique("carol");
      for (const user of [bob, carol])
        ok(
          await t.call("POST", "/api/v1/users", {
            body: { name: user, password: `${user}-pw-1234567` },
          }),
        );
      const name = unique("grants");
      ok(
        await t.call("POST", "/api/v1/organizations", {
          body: {
            name,
            connection: "mgmt",
            grants: [
              { principal: `user:${bob}`, role: "executor" },
              { principal: `user:${carol}`, role: "viewer" },
            ],
          },
        }),
      );
      ok(await t.call("DELETE", `/api/v1/users/${bob}`), 204);
      ok(
        await t.call("POST", "/api/v1/users", {
          body: { name: bob, password: `${bob}-pw-1234567` },
        }),
      );
      expect((await tree(name)).organization.grants).toEqual([
        { principal: `user:${carol}`, role: "viewer" },
      ]);

      const ous = (await tree(name)).ous.filter((ou) => ou.parentId !== null).map((ou) => ou.id);
      ok(
        await t.call("POST", `/api/v1/organizations/${name}/onboarding`, {
          body: { ous, regions: ["us-east-1"], method: "web_identity" },
        }),
      );
      const grants = await t.call("GET", `/api/v1/connections/${name}-${MEMBERS[0] ?? ""}/grants`);
      expect(grants.statusCode, grants.body).toBe(200);
      const items = grants.json<{ items: { principal: string; role: string }[] }>().items;
      expect(items).toContainEqual({ principal: `user:${carol}`, role: "viewer" });
      expect(items.filter((g) => g.principal === `user:${bob}`)).toEqual([]);
    });
  },
);

describe.each(DIALECTS)("upgrading organization grants to user ids [%s]", (dialect) => {
  let database: TestDatabase | undefined;
  let handle: DbHandle | undefined;
  afterEach(async () => {
    await handle?.destroy();
    await database?.dispose();
  });

  it("stores each user grant by the user's id in its org, keeps org and team grants, and drops a grant to a user that no longer exists", async () => {
    database = await createTestDatabase(dialect);
    handle = createDb(database.config);
    const db = handle.db;
    await migrateTo(db, "0019-organization-hub-tombstones");
    const now = new Date().toISOString();
    await sql`insert into orgs (id, name, created_at) values ('org-1', 'default', ${now}), ('org-2', 'other', ${now})`.execute(
      db,
    );
    // A user of the same name in another org must not be picked.
    await sql`insert into users (id, org_id, name, role, created_at, updated_at)
      values ('u-alice', 'org-1', 'alice', 'member', ${now}, ${now}), ('u-alice-2', 'org-2', 'alice', 'member', ${now}, ${now})`.execute(
      db,
    );
    const grants = [
      { principal: "org", role: "viewer" },
      { principal: "user:alice", role: "editor" },
      { teamId: "team-ops", role: "executor" },
      { principal: "user:gone", role: "executor" },
    ];
    await sql`insert into organizations (id, org_id, name, connection_id, call_as, aws_organization_id,
        management_account_id, tree, grants, created_at, created_by, updated_at)
      values ('o-1', 'org-1', 'acme', 'c-1', 'SELF', 'o-abc', '100000000000', '{"rootId":"r-1","ous":[]}',
        ${JSON.stringify(grants)}, ${now}, 'user:admin', ${now})`.execute(db);

    await migrateToLatest(db);
    const row = await sql<{
      grants: string;
    }>`select grants from organizations where id = 'o-1'`.execute(db);
    expect(JSON.parse(row.rows[0]?.grants ?? "null")).toEqual([
      { principal: "org", role: "viewer" },
      { userId: "u-alice", role: "editor" },
      { teamId: "team-ops", role: "executor" },
    ]);
  });
});

describe.each(DIALECTS)("upgrading onboardings to a stored hub identity [%s]", (dialect) => {
  let database: TestDatabase | undefined;
  let handle: DbHandle | undefined;
  afterEach(async () => {
    await handle?.destroy();
    await database?.dispose();
  });

  it("stores the hub's last tested principal (an assumed role's role) in each assume_role onboarding", async () => {
    database = await createTestDatabase(dialect);
    handle = createDb(database.config);
    const db = handle.db;
    await migrateTo(db, "0018-connection-grant-teams");
    const now = new Date().toISOString();
    await sql`insert into orgs (id, name, created_at) values ('org-1', 'default', ${now})`.execute(
      db,
    );
    const health = JSON.stringify({
      ok: true,
      arn: "arn:aws:sts::111111111111:assumed-role/host/i-0abc",
    });
    await sql`insert into connections (id, org_id, name, method, settings, access, regions, tags, health, created_at, created_by, updated_at)
      values ('c-hub', 'org-1', 'hub', 'ambient', '{"method":"ambient"}', 'read', '[]', '{}', ${health}, ${now}, 'user:admin', ${now})`.execute(
      db,
    );
    const onboarding = (method: string, hubConnectionId: string | null) =>
      JSON.stringify({ ous: [], skipAccounts: [], method, hubConnectionId });
    for (const [id, method, hub] of [
      ["o-1", "assume_role", "c-hub"],
      ["o-2", "web_identity", null],
    ] as const) {
      await sql`insert into organizations (id, org_id, name, connection_id, call_as, aws_organization_id,
          management_account_id, tree, grants, onboarding, created_at, created_by, updated_at)
        values (${id}, 'org-1', ${id}, 'c-1', 'SELF', 'o-abc', '100000000000', '{"rootId":"r-1","ous":[]}',
          '[]', ${onboarding(method, hub)}, ${now}, 'user:admin', ${now})`.execute(db);
    }

    await migrateTo(db, "0019-organization-hub-tombstones");
    const rows = await sql<{
      id: string;
      onboarding: string;
    }>`select id, onboarding from organizations order by id`.execute(db);
    expect(rows.rows.map((r) => JSON.parse(r.onboarding) as unknown)).toEqual([
      {
        ous: [],
        skipAccounts: [],
        method: "assume_role",
        hubConnectionId: "c-hub",
        hubPrincipalArn: "arn:aws:iam::111111111111:role/host",
      },
      {
        ous: [],
        skipAccounts: [],
        method: "web_identity",
        hubConnectionId: null,
        hubPrincipalArn: null,
      },
    ]);
  });
});
