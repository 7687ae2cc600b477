import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { databaseText } from "../helpers/database-text.js";
import { signInAsMember } from "../helpers/member.js";
import { startLocalServer, type LocalServer } from "../outbound/local-server.js";
import {
  engineStage,
  saveWorkflow,
  startWorkflow,
  waitForRun,
  type EngineStage,
} from "./engine-world.js";

interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

describeEachDatabase("an http step", (suite) => {
  let stage: EngineStage;
  let server: LocalServer;
  let received: Received[];
  /** The status the local server answers with; it echoes what it received. */
  let answer: number;

  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, 1);
    received = [];
    answer = 200;
    server = await startLocalServer((request, body, response) => {
      received.push({
        method: request.method ?? "",
        url: request.url ?? "",
        authorization: request.headers.authorization,
        contentType: request.headers["content-type"],
        body,
      });
      response.statusCode = answer;
      response.setHeader("content-type", "application/json");
      response.end(
        JSON.stringify({
          youSent: request.headers.authorization ?? null,
          body: JSON.parse(body || "null") as unknown,
        }),
      );
    });
    // The local server's host is on the allow-list (the emulator's stays).
    const put = await stage.t.call("PUT", "/api/v1/settings/outbound", {
      body: {
        allow: ["*.amazonaws.com", `127.0.0.1:${stage.emulator.port}`, `127.0.0.1:${server.port}`],
      },
    });
    expect(put.statusCode, put.body).toBe(200);
  });
  afterEach(() => {
    received = [];
    answer = 200;
  });
  afterAll(async () => {
    await server.close();
    await stage.close();
  });

  /** A secret its writer lets http steps send to the local server. */
  async function putSecret(path: string, value: string): Promise<void> {
    const put = await stage.t.call("POST", "/api/v1/secrets", {
      body: { path, value, allowedHosts: [`127.0.0.1:${server.port}`] },
    });
    expect(put.statusCode, put.body).toBe(201);
  }

  it("POSTs JSON with a key store secret in a header; the secret reaches the server and is stored nowhere", async () => {
    const token = `tok_${randomBytes(18).toString("hex")}`;
    const path = `keys/system/http-step-${randomBytes(4).toString("hex")}`;
    await putSecret(path, token);
    await saveWorkflow(
      stage.t,
      `name: http-post-secret
inputs:
  greeting: { type: string, default: hello }
steps:
  - id: call
    http:
      method: POST
      url: http://127.0.0.1:${server.port}/hooks/in
      headers:
        authorization: Bearer \${{ secrets.token }}
      secrets:
        token: ${path}
      body: { greeting: \${{ inputs.greeting }}, n: \${{ 1 + 1 }} }
      output: [status, body]
  - id: after
    transform: \${{ steps.call.output.status }}
`,
    );
    const id = await startWorkflow(stage.t, "http-post-secret");
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");

    expect(received).toEqual([
      {
        method: "POST",
        url: "/hooks/in",
        authorization: `Bearer ${token}`,
        contentType: "application/json",
        body: JSON.stringify({ greeting: "hello", n: 2 }),
      },
    ]);
    // The response echoed the secret: the stored body has it removed.
    expect(run.steps[0]?.output).toEqual({
      status: 200,
      body: { youSent: "Bearer [redacted]", body: { greeting: "hello", n: 2 } },
    });
    expect(run.steps[1]?.output).toBe(200);

    const detail = await stage.t.call("GET", `/api/v1/runs/${id}`);
    expect(detail.body).not.toContain(token);
    expect(await databaseText(suite)).not.toContain(token);
    expect(stage.t.logs.join("\n")).not.toContain(token);

    const audit = await stage.t.call(
      "GET",
      `/api/v1/audit?action=secret.use&objectId=${encodeURIComponent(path)}`,
    );
    expect(audit.statusCode, audit.body).toBe(200);
    const uses = audit.json<{ items: { action: string; detail: { purpose?: string } }[] }>().items;
    expect(uses).toHaveLength(1);
    expect(uses[0]?.detail.purpose).toContain(id);
    expect(audit.body).not.toContain(token);
  });

  it("a host not on the allow-list fails the step with OUTBOUND_REFUSED and sends nothing", async () => {
    const outside = await startLocalServer();
    try {
      await saveWorkflow(
        stage.t,
        `name: http-not-allowed
steps:
  - id: call
    http:
      method: POST
      url: http://127.0.0.1:${outside.port}/x
      body: { a: 1 }
  - id: after
    transform: \${{ 1 }}
`,
      );
      const id = await startWorkflow(stage.t, "http-not-allowed");
      const run = await waitForRun(stage.t, id);
      expect(run.status, JSON.stringify(run)).toBe("failed");
      expect(run.steps.map((s) => [s.id, s.status, s.error?.code])).toEqual([
        ["call", "failed", "OUTBOUND_REFUSED"],
        ["after", "skipped", "UPSTREAM_FAILED"],
      ]);
      expect(outside.connections).toBe(0);
      expect(outside.requests).toEqual([]);
    } finally {
      await outside.close();
    }
  });

  it("a non-2xx answer fails the step with HTTP_STATUS, unless expectStatus lists it", async () => {
    answer = 404;
    await saveWorkflow(
      stage.t,
      `name: http-status-404
steps:
  - id: call
    http:
      method: GET
      url: http://127.0.0.1:${server.port}/missing
`,
    );
    const failedId = await startWorkflow(stage.t, "http-status-404");
    const failed = await waitForRun(stage.t, failedId);
    expect(failed.status, JSON.stringify(failed)).toBe("failed");
    expect(failed.steps[0]?.status).toBe("failed");
    expect(failed.steps[0]?.error?.code).toBe("HTTP_STATUS");
    expect(failed.steps[0]?.error?.message).toContain("404");
    // The answer is kept for whoever looks at the failure.
    expect(failed.steps[0]?.output).toMatchObject({ status: 404 });

    await saveWorkflow(
      stage.t,
      `name: http-status-404-expected
steps:
  - id: call
    http:
      method: GET
      url: http://127.0.0.1:${server.port}/missing
      expectStatus: [404]
`,
    );
    const okId = await startWorkflow(stage.t, "http-status-404-expected");
    const ok = await waitForRun(stage.t, okId);
    expect(ok.status, JSON.stringify(ok)).toBe("succeeded");
    expect(ok.steps[0]?.output).toMatchObject({ status: 404 });

    // expectStatus replaces 2xx: a 200 is then a failure.
    answer = 200;
    const unexpectedId = await startWorkflow(stage.t, "http-status-404-expected");
    const unexpected = await waitForRun(stage.t, unexpectedId);
    expect(unexpected.steps[0]?.error?.code).toBe("HTTP_STATUS");
    expect(received).toHaveLength(3);
  });
  it("a secret the response echoes JSON-escaped is redacted from the stored body too", async () => {
    // A password may hold characters JSON escapes: the echo's text is not the value's bytes.
    const token = `pa"ss\\wo/rd-${randomBytes(6).toString("hex")}`;
    const path = `keys/system/http-step-${randomBytes(4).toString("hex")}`;
    await putSecret(path, token);
    await saveWorkflow(
      stage.t,
      `name: http-escaped-secret
steps:
  - id: call
    http:
      method: GET
      url: http://127.0.0.1:${server.port}/echo
      headers:
        authorization: \${{ secrets.token }}
      secrets:
        token: ${path}
      output: [status, body]
`,
    );
    const id = await startWorkflow(stage.t, "http-escaped-secret");
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(received[0]?.authorization).toBe(token);
    expect(run.steps[0]?.output).toEqual({
      status: 200,
      body: { youSent: "[redacted]", body: null },
    });
    const detail = await stage.t.call("GET", `/api/v1/runs/${id}`);
    expect(detail.body).not.toContain(JSON.stringify(token).slice(1, -1));
  });

  it("only someone who could write a secret may save a workflow that sends it", async () => {
    const member = await signInAsMember(stage.t, "http-step-member");
    const project = await stage.t.call("POST", "/api/v1/projects", {
      body: { name: "http-step-ops", members: [] },
    });
    expect(project.statusCode, project.body).toBe(201);
    const systemPath = `keys/system/http-step-${randomBytes(4).toString("hex")}`;
    await putSecret(systemPath, `tok_${randomBytes(12).toString("hex")}`);
    const projectPath = `keys/project/http-step-ops/token`;
    await putSecret(projectPath, `tok_${randomBytes(12).toString("hex")}`);
    const definition = (path: string) => `name: http-member-exfiltrates
steps:
  - id: call
    http:
      method: POST
      url: http://127.0.0.1:${server.port}/mine
      body: { got: \${{ secrets.token }} }
      secrets:
        token: ${path}
`;
    for (const path of [systemPath, projectPath]) {
      const saved = await stage.t.call("POST", "/api/v1/workflows", {
        token: member,
        body: definition(path),
        headers: { "content-type": "application/yaml" },
      });
      expect(saved.statusCode, saved.body).toBe(403);
      expect(saved.json<{ error: { message: string } }>().error.message).toContain(path);
    }
    expect(
      (await stage.t.call("GET", "/api/v1/workflows/http-member-exfiltrates")).statusCode,
    ).toBe(404);
    // A member of the project may send its secret; an admin any secret.
    const joined = await stage.t.call("PATCH", "/api/v1/projects/http-step-ops", {
      body: { members: ["user:http-step-member"] },
    });
    expect(joined.statusCode, joined.body).toBe(200);
    const mine = await stage.t.call("POST", "/api/v1/workflows?project=http-step-ops", {
      token: member,
      body: definition(projectPath),
      headers: { "content-type": "application/yaml" },
    });
    expect(mine.statusCode, mine.body).toBe(200);
    // Editing an admin's workflow that sends a system secret is refused to a member too.
    await saveWorkflow(
      stage.t,
      definition(systemPath).replace("http-member-exfiltrates", "http-admin-sends"),
    );
    const edited = await stage.t.call("POST", "/api/v1/workflows", {
      token: member,
      body: definition(systemPath)
        .replace("http-member-exfiltrates", "http-admin-sends")
        .replace("/mine", "/elsewhere"),
      headers: { "content-type": "application/yaml" },
    });
    expect(edited.statusCode, edited.body).toBe(403);
    expect(received).toEqual([]);
  });
});
