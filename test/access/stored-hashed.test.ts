import fs from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { ADMIN_TOKEN, createTestApp, type TestApp } from "../helpers/test-app.js";

const PASSWORD = "plain-text-password-4242";

describeEachDatabase("credentials at rest", (suite) => {
  let t: TestApp;
  let apiToken: string;
  let sessionToken: string;
  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    await t.call("POST", "/api/v1/users", { body: { name: "dana", password: PASSWORD } });
    apiToken = (await t.call("POST", "/api/v1/tokens", { body: { name: "ci" } })).json<{
      secret: string;
    }>().secret;
    const login = await t.call("POST", "/api/v1/auth/login", {
      token: null,
      body: { username: "dana", password: PASSWORD },
    });
    sessionToken = (String(login.headers["set-cookie"]).split(";")[0] ?? "").replace(
      "sb_session=",
      "",
    );
  });
  afterAll(() => t.close());

  async function storedText(): Promise<string> {
    const database = suite.testDatabase();
    // SQLite: the database file and its write-ahead log, byte for byte.
    if (database.config.dialect === "sqlite") {
      const files = [database.location, `${database.location}-wal`].filter((f) => fs.existsSync(f));
      return files.map((f) => fs.readFileSync(f).toString("latin1")).join("\n");
    }
    const client = new pg.Client({ connectionString: database.config.url });
    await client.connect();
    try {
      const dumps: string[] = [];
      for (const table of ["users", "api_tokens", "sessions", "setup_links", "audit_events"]) {
        const { rows } = await client.query(`SELECT row_to_json(t)::text AS j FROM ${table} t`);
        dumps.push(...rows.map((r: { j: string }) => r.j));
      }
      return dumps.join("\n");
    } finally {
      await client.end();
    }
  }

  it("keeps passwords, API tokens and session tokens only as hashes", async () => {
    expect(apiToken).toMatch(/^sb_/);
    expect(sessionToken).toMatch(/^sb_/);
    const stored = await storedText();
    expect(stored).toContain("dana");
    expect(stored).toContain("$argon2id$");
    for (const secret of [PASSWORD, apiToken, sessionToken, ADMIN_TOKEN])
      expect(stored).not.toContain(secret);
  });

  it("never sends a token back after creating it", async () => {
    const list = await t.call("GET", "/api/v1/tokens?all=true");
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(apiToken);
    expect(list.body).not.toContain(ADMIN_TOKEN);
    expect(list.body).not.toContain("token_hash");
  });

  it("keeps secrets out of the logs", () => {
    const logs = t.logs.join("");
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [PASSWORD, apiToken, sessionToken, ADMIN_TOKEN])
      expect(logs).not.toContain(secret);
  });
});
