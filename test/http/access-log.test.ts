import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

describeEachDatabase("access log", (suite) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
  });
  afterAll(() => t.close());

  it("writes one line per request with the route, status and time, never the query string", async () => {
    const response = await t.call("GET", "/api/v1/audit?actor=user%3Aadmin&limit=5");
    expect(response.statusCode).toBe(200);
    const lines = t.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.reqId === response.headers["x-request-id"]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: "request",
      method: "GET",
      url: "/api/v1/audit",
      status: 200,
    });
    expect(typeof lines[0]?.ms).toBe("number");
    expect(JSON.stringify(lines)).not.toContain("limit=5");
  });
});
