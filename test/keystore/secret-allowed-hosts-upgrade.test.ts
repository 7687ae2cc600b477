import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, migrateToLatest, type DbHandle } from "../../src/db/index.js";
import { migrateTo } from "../../src/db/migrate.js";
import { secretSendRefusal } from "../../src/keystore/index.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.js";

describe.each(DIALECTS)("upgrading secrets to host bindings [%s]", (dialect) => {
  let database: TestDatabase | undefined;
  let handle: DbHandle | undefined;
  afterEach(async () => {
    await handle?.destroy();
    await database?.dispose();
  });

  it("a secret written before 0023 is bound to no host: every http step is refused until it is written again", async () => {
    database = await createTestDatabase(dialect);
    handle = createDb(database.config);
    const db = handle.db;
    await migrateTo(db, "0022-acting-user-ids");
    const t0 = "2026-01-01T00:00:00.000Z";
    await sql`insert into secrets (id, org_id, path, project_id, type, ciphertext, wrapped_key,
        master_key_id, created_at, created_by, updated_at, updated_by, last_used_at)
      values ('s-1', 'org-1', 'keys/system/hook', null, 'password', 'c', 'w', 'mk', ${t0},
        'user:admin', ${t0}, 'user:admin', null)`.execute(db);
    await migrateToLatest(db);

    const row = await db
      .selectFrom("secrets")
      .select(["path", "allowed_hosts"])
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ path: "keys/system/hook", allowed_hosts: null });
    for (const destination of [undefined, { host: "hooks.example.com", port: 443 }]) {
      const refusal = await secretSendRefusal(db, "org-1", "keys/system/hook", destination);
      expect(refusal?.message).toMatch(/^secret keys\/system\/hook is bound to no host/);
    }
  });
});
