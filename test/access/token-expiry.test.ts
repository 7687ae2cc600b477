import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

interface Created {
  token: { id: string; expiresAt: string | null };
  secret: string;
}

const PASSWORD = "token-expiry-password-1";

describeEachDatabase("tokens created with a token", (suite) => {
  let t: TestApp;
  let session: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    await t.call("POST", "/api/v1/users", { body: { name: "cli-user", password: PASSWORD } });
    const login = await t.call("POST", "/api/v1/auth/login", {
      token: null,
      body: { username: "cli-user", password: PASSWORD },
    });
    session = {
      cookie: String(login.headers["set-cookie"]).split(";")[0] ?? "",
      "x-csrf-token": login.json<{ csrfToken: string }>().csrfToken,
    };
  });
  afterAll(() => t.close());

  const fromSession = async (name: string, expiresInDays: number | null) => {
    const created = await t.call("POST", "/api/v1/tokens", {
      token: null,
      headers: session,
      body: { name, expiresInDays },
    });
    expect(created.statusCode).toBe(201);
    return created.json<Created>();
  };
  const withToken = (token: string, name: string, expiresInDays: number | null) =>
    t.call("POST", "/api/v1/tokens", { token, body: { name, expiresInDays } });

  it("refuses a token that never expires when asked with a token that does, naming the field", async () => {
    const parent = await fromSession("ten-days", 10);
    const refused = await withToken(parent.secret, "forever", null);
    expect(refused.statusCode).toBe(400);
    const error = refused.json<{ error: { code: string; field: string; message: string } }>().error;
    expect(error).toMatchObject({ code: "INVALID_REQUEST", field: "expiresInDays" });
    expect(error.message).toContain("cannot outlive it");
    const listed = await t.call("GET", "/api/v1/tokens", { token: parent.secret });
    expect(listed.json<{ items: { name: string }[] }>().items.map((i) => i.name)).not.toContain(
      "forever",
    );
  });

  it("caps a longer expiry at the parent token's, and keeps a shorter one", async () => {
    const parent = await fromSession("ten-days-b", 10);
    const longer = await withToken(parent.secret, "ninety", 90);
    expect(longer.statusCode).toBe(201);
    expect(longer.json<Created>().token.expiresAt).toBe(parent.token.expiresAt);
    const shorter = await withToken(parent.secret, "three", 3);
    expect(shorter.statusCode).toBe(201);
    const expiresAt = shorter.json<Created>().token.expiresAt;
    expect(Date.parse(expiresAt ?? "")).toBeLessThan(Date.parse(parent.token.expiresAt ?? ""));
    // The capped token works, and what it mints is held by its own (capped) expiry in turn.
    const child = longer.json<Created>().secret;
    const grandchild = await withToken(child, "grandchild", 3650);
    expect(grandchild.json<Created>().token.expiresAt).toBe(parent.token.expiresAt);
  });

  it("lets a browser session, and a token that never expires, create a token that never expires", async () => {
    const forever = await fromSession("forever-from-session", null);
    expect(forever.token.expiresAt).toBeNull();
    const child = await withToken(forever.secret, "forever-child", null);
    expect(child.statusCode).toBe(201);
    expect(child.json<Created>().token.expiresAt).toBeNull();
  });
});
