import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

describeEachDatabase("serving the web UI", (suite) => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-web-"));
    fs.mkdirSync(path.join(dir, "assets"));
    fs.writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>app</title>");
    fs.writeFileSync(path.join(dir, "assets", "index-abc123.js"), "console.log(1)");
    t = await createTestApp(suite.handle().db, { webDir: dir });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("answers every page path with index.html under a strict CSP, so deep links and reloads work", async () => {
    for (const url of [
      "/",
      "/connections",
      "/connections/production/edit?x=1",
      "/settings/audit",
    ]) {
      const response = await t.call("GET", url, { token: null });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers["content-type"]).toMatch(/^text\/html/);
      expect(response.body).toContain("<title>app</title>");
      expect(response.headers["content-security-policy"]).toMatch(
        /default-src 'self'.*script-src 'self'/,
      );
      expect(response.headers["x-frame-options"]).toBe("DENY");
      expect(response.headers["cache-control"]).toBe("no-cache");
    }
  });

  it("serves hashed assets with a long cache life", async () => {
    const response = await t.call("GET", "/assets/index-abc123.js", { token: null });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe("console.log(1)");
    expect(response.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  it("keeps the API's JSON 404 for API paths and for anything that is not a page request", async () => {
    for (const [method, url] of [
      ["GET", "/api/v1/nope"],
      ["GET", "/api/anything"],
      ["POST", "/connections"],
      ["DELETE", "/"],
    ] as const) {
      const response = await t.call(method, url, { token: null });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json<{ error: { code: string } }>().error.code).toBe("ROUTE_NOT_FOUND");
    }
  });
});
