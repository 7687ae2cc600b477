import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

type Response = Awaited<ReturnType<TestApp["call"]>>;

function expectRefused(response: Response, field: string, message: RegExp): void {
  expect(response.statusCode, response.body).toBe(400);
  const { error } = response.json<{
    error: { code: string; message: string; field?: string; requestId: string };
  }>();
  expect(error.code).toBe("INVALID_REQUEST");
  expect(error.field).toBe(field);
  expect(error.message).toMatch(message);
  expect(error.requestId).toBe(response.headers["x-request-id"]);
}

describeEachDatabase("text input", (suite) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    expect((await t.call("POST", "/api/v1/users", { body: { name: "ed" } })).statusCode).toBe(201);
  });
  afterAll(() => t.close());

  it("refuses a NUL in the sign-in user name or org with 400 naming the field, before anyone signs in", async () => {
    const login = (body: object) => t.call("POST", "/api/v1/auth/login", { token: null, body });
    expectRefused(
      await login({ username: "ed\u0000", password: "whatever-password" }),
      "username",
      /body\.username contains a NUL/,
    );
    expectRefused(
      await login({ org: "default\u0000", username: "ed", password: "whatever-password" }),
      "org",
      /body\.org contains a NUL/,
    );
  });

  it("refuses a NUL in a token name and in a display name, created or changed", async () => {
    expectRefused(
      await t.call("POST", "/api/v1/tokens", { body: { name: "ci\u0000" } }),
      "name",
      /NUL/,
    );
    expectRefused(
      await t.call("POST", "/api/v1/users", { body: { name: "bo", displayName: "Bo\u0000" } }),
      "displayName",
      /body\.displayName contains a NUL/,
    );
    expectRefused(
      await t.call("PATCH", "/api/v1/users/ed", { body: { displayName: "Ed\u0000" } }),
      "displayName",
      /NUL/,
    );
    const users = await t.call("GET", "/api/v1/users");
    expect(users.json<{ items: { name: string }[] }>().items.map((u) => u.name)).toEqual([
      "admin",
      "ed",
    ]);
  });

  it("refuses a NUL in a query parameter or a path parameter", async () => {
    expectRefused(await t.call("GET", "/api/v1/audit?actor=%00"), "actor", /query\.actor/);
    expectRefused(await t.call("GET", "/api/v1/secrets?prefix=%00"), "prefix", /query\.prefix/);
    expectRefused(await t.call("GET", "/api/v1/users/ed%00"), "name", /params\.name/);
  });

  it("refuses a lone surrogate in a value or a field name, and keeps emoji and control characters intact", async () => {
    expectRefused(
      await t.call("PATCH", "/api/v1/users/ed", { body: { displayName: "Ed \ud83d" } }),
      "displayName",
      /lone UTF-16 surrogate/,
    );
    expectRefused(
      await t.call("POST", "/api/v1/teams", { body: { name: "ops", members: ["ed", "\udc00"] } }),
      "members.1",
      /body\.members\.1/,
    );
    expectRefused(
      await t.call("POST", "/api/v1/teams", { body: { name: "ops", "x\ud800": 1 } }),
      "x\\ud800",
      /field name contains a lone/,
    );
    // A surrogate pair (an emoji), accents and other control characters are text like any other.
    const displayName = "Ed 😀 Éà\ttab\u0001";
    const changed = await t.call("PATCH", "/api/v1/users/ed", { body: { displayName } });
    expect(changed.statusCode, changed.body).toBe(200);
    const read = await t.call("GET", "/api/v1/users/ed");
    expect(read.json<{ displayName: string }>().displayName).toBe(displayName);
  });

  it("refuses a body nested deeper than 64 levels, naming where", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/actions/aws.sts.getCallerIdentity/run",
      headers: { authorization: "Bearer sb_admin_test_token", "content-type": "application/json" },
      payload: `{"connection":"x","region":"us-east-1","input":{"a":${deep}}}`,
    });
    expectRefused(response, `input.a${".0".repeat(62)}`, /nested deeper than 64 levels/);
  });

  it("answers a path that is not valid UTF-8 with the error body", async () => {
    const response = await t.call("GET", "/api/v1/users/%ED%A0%80");
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { code: string; requestId: string } }>().error).toMatchObject({
      code: "INVALID_REQUEST",
      requestId: response.headers["x-request-id"],
    });
  });
});
