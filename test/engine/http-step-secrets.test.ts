import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { databaseText } from "../helpers/database-text.js";
import { startLocalServer, type LocalServer } from "../outbound/local-server.js";
import {
  engineStage,
  saveWorkflow,
  startWorkflow,
  waitForRun,
  type EngineStage,
} from "./engine-world.js";

/** The forms of a secret that must appear nowhere but on the wire to the server. */
function forms(secret: string): string[] {
  return [
    secret,
    Buffer.from(secret).toString("base64"),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    secret.toUpperCase(),
  ];
}

describeEachDatabase("an http step's secrets", (suite) => {
  let stage: EngineStage;
  let server: LocalServer;
  let received: { url: string; authorization: string | undefined; body: string }[];

  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, 1);
    received = [];
    server = await startLocalServer((request, body, response) => {
      received.push({ url: request.url ?? "", authorization: request.headers.authorization, body });
      response.statusCode = 200;
      response.setHeader("content-type", "application/json");
      // Echoes everything: the stored output must still not hold the secret in any form.
      response.end(
        JSON.stringify({ url: request.url, auth: request.headers.authorization ?? null, body }),
      );
    });
    const put = await stage.t.call("PUT", "/api/v1/settings/outbound", {
      body: {
        allow: ["*.amazonaws.com", `127.0.0.1:${stage.emulator.port}`, `127.0.0.1:${server.port}`],
      },
    });
    expect(put.statusCode, put.body).toBe(200);
  });
  afterEach(() => {
    received = [];
  });
  afterAll(async () => {
    await server.close();
    await stage.close();
  });

  async function newSecret(value: string): Promise<string> {
    const path = `keys/system/http-secrets-${randomBytes(4).toString("hex")}`;
    const put = await stage.t.call("POST", "/api/v1/secrets", {
      body: { path, value, allowedHosts: [`127.0.0.1:${server.port}`, "*.example.com"] },
    });
    expect(put.statusCode, put.body).toBe(201);
    return path;
  }

  async function runHttp(name: string, path: string, http: string) {
    await saveWorkflow(
      stage.t,
      `name: ${name}
steps:
  - id: call
    http:
${http}
      secrets:
        token: ${path}
      output: [status, body]
`,
    );
    const id = await startWorkflow(stage.t, name);
    const run = await waitForRun(stage.t, id);
    const detail = await stage.t.call("GET", `/api/v1/runs/${id}`);
    return { run, detail: detail.body };
  }

  async function expectStoredNowhere(secret: string, detail: string): Promise<void> {
    const db = await databaseText(suite);
    const logs = stage.t.logs.join("\n");
    for (const form of forms(secret)) {
      expect(detail).not.toContain(form);
      expect(db).not.toContain(form);
      expect(logs).not.toContain(form);
    }
  }

  it("$error, $number and $base64encode of a secret see a marker: neither the value nor a transform of it is stored or sent", async () => {
    const secret = `Sk_${randomBytes(16).toString("hex")}`;
    const path = await newSecret(secret);
    const url = `http://127.0.0.1:${server.port}`;
    const cases: [string, string][] = [
      [
        "leak-error-header",
        `      method: GET\n      url: ${url}/a\n      headers:\n        x-a: \${{ $error(secrets.token) }}`,
      ],
      ["leak-number-url", `      method: GET\n      url: ${url}/\${{ $number(secrets.token) }}`],
      [
        "leak-base64-body",
        `      method: POST\n      url: ${url}/b\n      body: { b: \${{ $base64encode(secrets.token) }} }`,
      ],
      [
        "leak-upper-query",
        `      method: GET\n      url: ${url}/c\n      query:\n        q: \${{ $uppercase(secrets.token) }}`,
      ],
    ];
    const details: string[] = [];
    for (const [name, http] of cases) {
      const { run, detail } = await runHttp(name, path, http);
      details.push(detail);
      if (name === "leak-error-header" || name === "leak-number-url") {
        expect(run.steps[0]?.status, detail).toBe("failed");
        expect(run.steps[0]?.error?.code).toBe("EXPRESSION_FAILED");
      } else {
        expect(run.steps[0]?.status, detail).toBe("succeeded");
      }
    }
    // Two requests went out, carrying only transformed markers.
    expect(received).toHaveLength(2);
    for (const form of forms(secret)) expect(JSON.stringify(received)).not.toContain(form);
    await expectStoredNowhere(secret, details.join("\n"));
  });

  it("a plain ${{ secrets.token }} reaches the server in header, query and body; echoes are redacted, URL-encoded ones too", async () => {
    const secret = `p+q/r&s "t" ${randomBytes(8).toString("hex")}`;
    const path = await newSecret(secret);
    const { run, detail } = await runHttp(
      "plain-secret",
      path,
      `      method: POST
      url: http://127.0.0.1:${server.port}/in
      headers:
        authorization: Bearer \${{ secrets.token }}
      query:
        q: \${{ secrets.token }}
      body: { t: \${{ secrets.token }} }`,
    );
    expect(run.status, detail).toBe("succeeded");
    expect(received).toHaveLength(1);
    expect(received[0]?.authorization).toBe(`Bearer ${secret}`);
    expect(new URL(received[0]!.url, "http://x").searchParams.get("q")).toBe(secret);
    expect(JSON.parse(received[0]!.body)).toEqual({ t: secret });
    const output = run.steps[0]?.output as { body: { url: string; auth: string; body: string } };
    expect(output.body.auth).toBe("Bearer [redacted]");
    expect(output.body.url).toBe("/in?q=[redacted]");
    expect(JSON.parse(output.body.body)).toEqual({ t: "[redacted]" });
    await expectStoredNowhere(secret, detail);
  });

  it("a secret in the URL's host is refused before its value is read: no lookup, nothing sent", async () => {
    const secret = `host${randomBytes(8).toString("hex")}`;
    const path = await newSecret(secret);
    const { run, detail } = await runHttp(
      "refused-secret-host",
      path,
      `      method: GET
      url: http://\${{ secrets.token }}.example.com/x`,
    );
    expect(run.steps[0]?.status, detail).toBe("failed");
    // Even for a host its writer allowed (*.example.com): DNS would carry the value in clear.
    expect(run.steps[0]?.error?.code).toBe("SECRET_HOST_NOT_ALLOWED");
    expect(run.steps[0]?.error?.message).toContain("host");
    expect(received).toEqual([]);
    const audit = await stage.t.call(
      "GET",
      `/api/v1/audit?action=secret.use&objectId=${encodeURIComponent(path)}`,
    );
    expect(audit.json<{ items: unknown[] }>().items).toEqual([]);
    await expectStoredNowhere(secret, detail);
  });
});
