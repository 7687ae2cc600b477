import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, migrateToLatest, type DbHandle } from "../../src/db/index.js";
import { migrateTo } from "../../src/db/migrate.js";
import { DIALECTS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const ORG_EXTERNAL_ID = "switchboard-ThisOrgsValueBeforeTheUpgrade0001";
const ROLE = "arn:aws:iam::222222222222:role/switchboard-read";

async function insertConnection(
  db: DbHandle["db"],
  values: { id: string; orgId: string; name: string; method: string; settings: object },
) {
  const now = new Date().toISOString();
  await sql`insert into connections (id, org_id, name, method, settings, access, regions, endpoint,
      tags, project_id, account_id, health, created_at, created_by, updated_at)
    values (${values.id}, ${values.orgId}, ${values.name}, ${values.method},
      ${JSON.stringify(values.settings)}, 'read', '[]', null, '{}', null, null, null, ${now},
      'user:admin', ${now})`.execute(db);
}

describe.each(DIALECTS)("upgrading to per-connection ExternalIds [%s]", (dialect) => {
  let database: TestDatabase | undefined;
  let handle: DbHandle | undefined;
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    await handle?.destroy();
    await database?.dispose();
  });

  it("keeps the org's ExternalId on every assume_role connection it had, so no role breaks", async () => {
    database = await createTestDatabase(dialect);
    handle = createDb(database.config);
    const db = handle.db;
    await migrateTo(db, "0006-run-target-sessions");
    const now = new Date().toISOString();
    await sql`insert into orgs (id, name, created_at) values ('org-1', 'default', ${now}),
      ('org-2', 'other', ${now})`.execute(db);
    await sql`insert into org_external_ids (org_id, external_id, created_at)
      values ('org-1', ${ORG_EXTERNAL_ID}, ${now})`.execute(db);
    await insertConnection(db, {
      id: "c-1",
      orgId: "org-1",
      name: "production",
      method: "assume_role",
      settings: { method: "assume_role", roleArn: ROLE },
    });
    await insertConnection(db, {
      id: "c-2",
      orgId: "org-1",
      name: "staging",
      method: "assume_role",
      settings: { method: "assume_role", roleArn: ROLE.replace("222222222222", "333333333333") },
    });
    await insertConnection(db, {
      id: "c-3",
      orgId: "org-1",
      name: "hub",
      method: "ambient",
      settings: { method: "ambient" },
    });
    // An org whose ExternalId was never shown: no role can require one yet.
    await insertConnection(db, {
      id: "c-4",
      orgId: "org-2",
      name: "other",
      method: "assume_role",
      settings: { method: "assume_role", roleArn: ROLE },
    });

    await migrateToLatest(db);
    t = await createTestApp(db);
    const shown = async (name: string) =>
      (await t?.call("GET", `/api/v1/connections/${name}`))?.json<{ externalId?: string }>()
        .externalId;
    expect(await shown("production")).toBe(ORG_EXTERNAL_ID);
    expect(await shown("staging")).toBe(ORG_EXTERNAL_ID);
    expect(await shown("hub")).toBeUndefined();
    const policy = (await t.call("GET", "/api/v1/connections/production/trust-policy")).json<{
      policy: { Statement: { Condition: unknown }[] };
    }>();
    expect(policy.policy.Statement[0]?.Condition).toEqual({
      StringEquals: { "sts:ExternalId": ORG_EXTERNAL_ID },
    });
    const other = await db
      .selectFrom("connections")
      .innerJoin("external_ids", "external_ids.id", "connections.external_id_id")
      .select(["external_ids.value", "external_ids.org_id"])
      .where("connections.id", "=", "c-4")
      .executeTakeFirstOrThrow();
    expect(other.org_id).toBe("org-2");
    expect(other.value).toMatch(/^switchboard-[\w-]{32}$/);

    // Each keeps it as its own: rotating one leaves the other on the org's old value.
    const rotated = await t.call("POST", "/api/v1/connections/production/external-id/rotate");
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(await shown("production")).not.toBe(ORG_EXTERNAL_ID);
    expect(await shown("staging")).toBe(ORG_EXTERNAL_ID);
    // A connection made after the upgrade gets its own.
    const created = await t.call("POST", "/api/v1/connections", {
      body: { name: "added", method: "assume_role", roleArn: ROLE, sourceConnection: "hub" },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json<{ externalId: string }>().externalId).not.toBe(ORG_EXTERNAL_ID);
  });
});
