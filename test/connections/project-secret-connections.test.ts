import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

// A project's secret backs only that project's connections: as an org connection its AWS keys
// would reach every grant holder, outside the project that stored them.
describeEachDatabase("connections backed by a project's secret", (suite) => {
  let t: TestApp;
  let member: string;

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    member = await signInAsMember(t, "max", ["ops"]);
    await t.call("POST", "/api/v1/projects", { body: { name: "ops", members: ["team:ops"] } });
    await t.call("POST", "/api/v1/projects", { body: { name: "billing" } });
    for (const path of ["keys/project/ops/aws", "keys/system/aws"]) {
      const stored = await t.call("POST", "/api/v1/secrets", {
        body: { path, value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
      });
      expect(stored.statusCode, stored.body).toBe(201);
    }
  });
  afterAll(() => t.close());

  const connection = (name: string, secretPath: string, project?: string) => ({
    name,
    method: "access_key",
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretPath,
    regions: ["us-east-1"],
    ...(project === undefined ? {} : { project }),
  });

  it("refuses it on an org connection or another project's, for members and admins alike", async () => {
    for (const [token, body] of [
      [member, connection("ops-keys-org", "keys/project/ops/aws")],
      [undefined, connection("ops-keys-org", "keys/project/ops/aws")],
      [undefined, connection("ops-keys-billing", "keys/project/ops/aws", "billing")],
    ] as const) {
      const refused = await t.call("POST", "/api/v1/connections", {
        ...(token === undefined ? {} : { token }),
        body,
      });
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json()).toMatchObject({ error: { field: "secretPath" } });
      expect(refused.json<{ error: { message: string } }>().error.message).toContain(
        "belongs to project ops",
      );
    }
    const listed = await t.call("GET", "/api/v1/connections");
    expect(listed.body).not.toContain("ops-keys-");
  });

  it("accepts it on the project's own connection, and refuses moving an org connection onto it", async () => {
    const own = await t.call("POST", "/api/v1/connections", {
      token: member,
      body: connection("ops-keys", "keys/project/ops/aws", "ops"),
    });
    expect(own.statusCode, own.body).toBe(201);

    const org = await t.call("POST", "/api/v1/connections", {
      body: connection("org-keys", "keys/system/aws"),
    });
    expect(org.statusCode, org.body).toBe(201);
    const moved = await t.call("PATCH", "/api/v1/connections/org-keys", {
      body: { secretPath: "keys/project/ops/aws" },
    });
    expect(moved.statusCode, moved.body).toBe(400);
    const kept = await t.call("GET", "/api/v1/connections/org-keys");
    expect(kept.body).toContain('"secretPath":"keys/system/aws"');
  });
});
