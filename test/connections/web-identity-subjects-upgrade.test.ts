import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, migrateToLatest, type DbHandle } from "../../src/db/index.js";
import { migrateTo } from "../../src/db/migrate.js";
import { DIALECTS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const ROLE = "arn:aws:iam::222222222222:role/switchboard-web";

describe.each(DIALECTS)("upgrading to reserved web identity subjects [%s]", (dialect) => {
  let database: TestDatabase | undefined;
  let handle: DbHandle | undefined;
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    await handle?.destroy();
    await database?.dispose();
  });

  it("keeps each web_identity connection's subject and reserves the names the audit trail shows web_identity connections had", async () => {
    database = await createTestDatabase(dialect);
    handle = createDb(database.config);
    const db = handle.db;
    await migrateTo(db, "0009-run-owners");
    const now = new Date().toISOString();
    await sql`insert into orgs (id, name, created_at) values ('org-1', 'default', ${now})`.execute(
      db,
    );
    await sql`insert into connections (id, org_id, name, method, settings, access, regions, endpoint,
        tags, project_id, account_id, health, created_at, created_by, updated_at)
      values ('c-1', 'org-1', 'live', 'web_identity',
        ${JSON.stringify({ method: "web_identity", roleArn: ROLE })}, 'read', '[]', null, '{}',
        null, null, null, ${now}, 'user:admin', ${now})`.execute(db);
    const events: [string, string, string, object][] = [
      ["connection.create", "live", "success", { method: "web_identity", access: "read" }],
      ["connection.create", "gone", "success", { method: "web_identity", access: "read" }],
      ["connection.create", "keys", "success", { method: "access_key", access: "read" }],
      // A refused create never had a subject.
      ["connection.create", "refused", "failure", { method: "web_identity" }],
      // A web_identity rename needs confirmRename: both names were its subjects.
      [
        "connection.update",
        "was",
        "success",
        { fields: ["name", "confirmRename"], renamedTo: "now" },
      ],
      ["connection.update", "plain", "success", { fields: ["name"], renamedTo: "plain2" }],
    ];
    let n = 0;
    for (const [action, objectId, outcome, detail] of events) {
      n += 1;
      await sql`insert into audit_events (id, org_id, actor, action, object_type, object_id,
          outcome, source_ip, request_id, detail, created_at)
        values (${`ev-${n}`}, 'org-1', 'user:admin', ${action}, 'connection', ${objectId},
          ${outcome}, null, null, ${JSON.stringify(detail)}, ${now})`.execute(db);
    }

    await migrateToLatest(db);
    t = await createTestApp(db);
    const app = t;
    const create = (name: string) =>
      app.call("POST", "/api/v1/connections", {
        body: { name, method: "web_identity", roleArn: ROLE },
      });

    const retagged = await t.call("PATCH", "/api/v1/connections/live", {
      body: { tags: { kept: "yes" } },
    });
    expect(retagged.statusCode, retagged.body).toBe(200);
    for (const name of ["gone", "was", "now"]) {
      const refused = await create(name);
      expect(refused.statusCode, `${name}: ${refused.body}`).toBe(409);
      expect(refused.json<{ error: { code: string } }>().error.code).toBe(
        "WEB_IDENTITY_SUBJECT_RESERVED",
      );
    }
    for (const name of ["keys", "refused", "plain", "plain2"]) {
      const created = await create(name);
      expect(created.statusCode, `${name}: ${created.body}`).toBe(201);
    }
  });
});
