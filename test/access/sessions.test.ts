import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const PASSWORD = "correct-horse-battery";

describeEachDatabase("browser sessions", (suite) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    await t.call("POST", "/api/v1/users", { body: { name: "sam", password: PASSWORD } });
    await t.call("POST", "/api/v1/users", { body: { name: "target", password: PASSWORD } });
  });
  afterAll(() => t.close());

  async function signIn(username: string, password = PASSWORD) {
    const response = await t.call("POST", "/api/v1/auth/login", {
      token: null,
      body: { username, password },
    });
    const setCookie = String(response.headers["set-cookie"] ?? "");
    return {
      response,
      setCookie,
      cookie: setCookie.split(";")[0] ?? "",
      csrf: response.json<{ csrfToken?: string }>().csrfToken ?? "",
    };
  }

  it("signs in with an httpOnly, Secure, SameSite session cookie", async () => {
    const { response, setCookie } = await signIn("sam");
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ user: { name: "sam" }, org: "default" });
    expect(setCookie).toMatch(/^sb_session=sb_/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
  });

  it("hands the web UI the CSRF token in a same-site cookie its script can read, and clears it on sign-out", async () => {
    const { response, cookie, csrf } = await signIn("sam");
    const cookies = [response.headers["set-cookie"] ?? []].flat();
    const csrfCookie = cookies.find((c) => c.startsWith("sb_csrf="));
    expect(csrfCookie).toBeDefined();
    expect(csrfCookie?.split(";")[0]).toBe(`sb_csrf=${csrf}`);
    expect(csrfCookie).not.toMatch(/HttpOnly/i);
    expect(csrfCookie).toMatch(/SameSite=Strict/i);
    expect(csrfCookie).toMatch(/Secure/i);
    const out = await t.call("POST", "/api/v1/auth/logout", {
      token: null,
      headers: { cookie, "x-csrf-token": csrf },
    });
    const cleared = [out.headers["set-cookie"] ?? []].flat().map((c) => c.split(";")[0]);
    expect(cleared).toEqual(expect.arrayContaining(["sb_session=", "sb_csrf="]));
  });

  it("refuses a mutating request with the cookie but without the CSRF token", async () => {
    const { cookie, csrf } = await signIn("sam");
    expect(
      (await t.call("GET", "/api/v1/whoami", { token: null, headers: { cookie } })).statusCode,
    ).toBe(200);
    const forged = await t.call("POST", "/api/v1/tokens", {
      token: null,
      headers: { cookie },
      body: { name: "x" },
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json<{ error: { code: string } }>().error.code).toBe("CSRF_TOKEN_INVALID");
    const wrong = await t.call("POST", "/api/v1/tokens", {
      token: null,
      headers: { cookie, "x-csrf-token": "sb_wrong" },
      body: { name: "x" },
    });
    expect(wrong.statusCode).toBe(403);
    const ok = await t.call("POST", "/api/v1/tokens", {
      token: null,
      headers: { cookie, "x-csrf-token": csrf },
      body: { name: "x" },
    });
    expect(ok.statusCode).toBe(201);
  });

  it("ends the session on sign-out", async () => {
    const { cookie, csrf } = await signIn("sam");
    const out = await t.call("POST", "/api/v1/auth/logout", {
      token: null,
      headers: { cookie, "x-csrf-token": csrf },
    });
    expect(out.statusCode).toBe(204);
    expect(
      (await t.call("GET", "/api/v1/whoami", { token: null, headers: { cookie } })).statusCode,
    ).toBe(401);
  });

  it("answers a wrong password and an unknown user alike", async () => {
    const wrong = await signIn("sam", "not-the-password");
    const unknown = await signIn("nobody", "not-the-password");
    expect(wrong.response.statusCode).toBe(401);
    expect(unknown.response.statusCode).toBe(401);
    expect(wrong.response.json<{ error: { message: string } }>().error.message).toBe(
      unknown.response.json<{ error: { message: string } }>().error.message,
    );
    expect(wrong.setCookie).toBe("");
  });

  it("rate-limits sign-in attempts per user, even with the right password afterwards", async () => {
    for (let i = 0; i < 5; i++)
      expect((await signIn("target", `wrong-${i}`)).response.statusCode).toBe(401);
    const limited = await signIn("target");
    expect(limited.response.statusCode).toBe(429);
    expect(limited.response.json<{ error: { code: string } }>().error.code).toBe("RATE_LIMITED");
    expect((await signIn("sam")).response.statusCode).toBe(200);
    const audit = await t.call("GET", "/api/v1/audit?action=auth.login&actor=user:target");
    const outcomes = audit
      .json<{ items: { outcome: string; sourceIp: string }[] }>()
      .items.map((e) => e.outcome);
    expect(outcomes).toEqual(["denied", "failure", "failure", "failure", "failure", "failure"]);
  });

  it("sets a password once through a setup link", async () => {
    const created = await t.call("POST", "/api/v1/users", { body: { name: "newbie" } });
    const setupUrl = created.json<{ setupUrl: string }>().setupUrl;
    expect(setupUrl).toMatch(/^http:\/\/switchboard\.test\/setup#token=sb_/);
    const token = setupUrl.split("#token=")[1];
    const used = await t.call("POST", "/api/v1/auth/setup", {
      token: null,
      body: { token, password: "my-new-password-1" },
    });
    expect(used.statusCode).toBe(204);
    expect((await signIn("newbie", "my-new-password-1")).response.statusCode).toBe(200);
    const again = await t.call("POST", "/api/v1/auth/setup", {
      token: null,
      body: { token, password: "another-password-2" },
    });
    expect(again.statusCode).toBe(400);
    expect(again.json<{ error: { code: string } }>().error.code).toBe("SETUP_LINK_INVALID");
  });
});
