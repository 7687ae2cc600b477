import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

describeEachDatabase("bad requests", (suite) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
  });
  afterAll(() => t.close());

  async function expectError(
    response: Awaited<ReturnType<TestApp["call"]>>,
    status: number,
    code: string,
    field?: string,
  ) {
    expect(response.statusCode).toBe(status);
    const body = response.json<{
      error: { code: string; message: string; field?: string; requestId: string };
    }>();
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(5);
    expect(body.error.requestId).toBe(response.headers["x-request-id"]);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
    if (field !== undefined) expect(body.error.field).toBe(field);
    const users = await t.call("GET", "/api/v1/users");
    expect(users.json<{ items: { name: string }[] }>().items.map((u) => u.name)).toEqual(["admin"]);
  }

  it("answers malformed JSON with 400 INVALID_JSON", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: { authorization: "Bearer sb_admin_test_token", "content-type": "application/json" },
      payload: '{"name": "bob",',
    });
    await expectError(response, 400, "INVALID_JSON");
  });

  it("names an unknown field", async () => {
    await expectError(
      await t.call("POST", "/api/v1/users", { body: { name: "bob", admin: true } }),
      400,
      "INVALID_REQUEST",
      "admin",
    );
  });

  it("names a field of the wrong type", async () => {
    const response = await t.call("POST", "/api/v1/users", { body: { name: 42 } });
    await expectError(response, 400, "INVALID_REQUEST", "name");
    expect(response.json<{ error: { message: string } }>().error.message).toContain("body.name");
  });

  it("names a value that breaks a rule", async () => {
    await expectError(
      await t.call("POST", "/api/v1/users", { body: { name: "bob", password: "short" } }),
      400,
      "INVALID_REQUEST",
      "password",
    );
  });

  it("refuses an oversized body with 413", async () => {
    const response = await t.call("POST", "/api/v1/users", {
      body: { name: "bob", displayName: "x".repeat(2 * 1024 * 1024) },
    });
    await expectError(response, 413, "BODY_TOO_LARGE");
  });

  it("refuses a body that is not JSON with 415", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: { authorization: "Bearer sb_admin_test_token", "content-type": "text/plain" },
      payload: "name=bob",
    });
    await expectError(response, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("refuses a bad query parameter and a foreign cursor", async () => {
    await expectError(
      await t.call("GET", "/api/v1/users?limit=0"),
      400,
      "INVALID_REQUEST",
      "limit",
    );
    await expectError(
      await t.call("GET", "/api/v1/users?cursor=not-ours"),
      400,
      "INVALID_REQUEST",
      "cursor",
    );
  });

  it("answers an unknown route with the error body", async () => {
    await expectError(await t.call("GET", "/api/v1/nope"), 404, "ROUTE_NOT_FOUND");
  });

  it("answers a request without credentials with 401 before reading the body", async () => {
    await expectError(
      await t.call("POST", "/api/v1/users", { token: null, body: { nonsense: true } }),
      401,
      "UNAUTHENTICATED",
    );
    await expectError(
      await t.call("GET", "/api/v1/users", { token: "sb_not_a_real_token" }),
      401,
      "INVALID_CREDENTIALS",
    );
  });

  it("answers a duplicate name with 409 and keeps the first", async () => {
    expect((await t.call("POST", "/api/v1/teams", { body: { name: "ops" } })).statusCode).toBe(201);
    const again = await t.call("POST", "/api/v1/teams", {
      body: { name: "ops", members: ["admin"] },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ error: { field: string } }>().error.field).toBe("name");
    const team = await t.call("GET", "/api/v1/teams/ops");
    expect(team.json<{ members: string[] }>().members).toEqual([]);
  });
});
