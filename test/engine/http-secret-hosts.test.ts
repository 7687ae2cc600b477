import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { databaseText } from "../helpers/database-text.js";
import { signInAsMember } from "../helpers/member.js";
import { startLocalServer, type LocalServer } from "../outbound/local-server.js";
import { engineStage, waitForRun, type EngineStage, type RunView } from "./engine-world.js";

/** Every form of a secret an echoing server could hand back, and the ones redaction knows. */
function forms(secret: string): string[] {
  return [
    secret,
    Buffer.from(secret).toString("base64"),
    [...secret].reverse().join(""),
    encodeURIComponent(secret),
    secret.toUpperCase(),
  ];
}

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/**
 * Security finding F5: project secrets are write-only, yet any member of the project could name
 * another member's secret in an http step and send it to a server that echoes it back
 * transformed (base64, reversed), which redaction cannot find. A secret now goes only to the
 * hosts its writer bound to its value, and the answer to a request that carried secrets keeps
 * only its status unless the step asks for more.
 */
describeEachDatabase("an http step's secret goes only where its writer allowed", (suite) => {
  let stage: EngineStage;
  /** The attacker's server: answers with what it received, base64-encoded and reversed. */
  let echo: LocalServer;
  /** The service the secret is meant for: answers with a constant body and a header. */
  let trusted: LocalServer;
  let echoed: string[];
  let delivered: { authorization: string | undefined; body: string }[];
  let bob: string;
  let eve: string;
  const project = "ops";

  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, 1);
    echoed = [];
    delivered = [];
    echo = await startLocalServer((_request, body, response) => {
      echoed.push(body);
      response.setHeader("content-type", "application/json");
      response.end(
        JSON.stringify({
          b64: Buffer.from(body).toString("base64"),
          rev: [...body].reverse().join(""),
        }),
      );
    });
    trusted = await startLocalServer((request, body, response) => {
      delivered.push({ authorization: request.headers.authorization, body });
      response.setHeader("content-type", "application/json");
      response.setHeader("x-deploy-id", "d-42");
      // On /echo, a service that hands its caller's credential back transformed.
      const echoes = request.url?.startsWith("/echo") === true;
      response.end(
        JSON.stringify({
          accepted: true,
          ...(echoes
            ? { b64: Buffer.from(request.headers.authorization ?? "").toString("base64") }
            : {}),
        }),
      );
    });
    // Both servers pass the org's allow-list, as *.amazonaws.com admits anyone's API Gateway.
    const put = await stage.t.call("PUT", "/api/v1/settings/outbound", {
      body: {
        allow: [
          "*.amazonaws.com",
          `127.0.0.1:${stage.emulator.port}`,
          `127.0.0.1:${echo.port}`,
          `127.0.0.1:${trusted.port}`,
        ],
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    bob = await signInAsMember(stage.t, "bob");
    eve = await signInAsMember(stage.t, "eve");
    const created = await stage.t.call("POST", "/api/v1/projects", {
      body: { name: project, members: ["user:bob", "user:eve"] },
    });
    expect(created.statusCode, created.body).toBe(201);
  });
  afterEach(() => {
    echoed = [];
    delivered = [];
  });
  afterAll(async () => {
    await echo.close();
    await trusted.close();
    await stage.close();
  });

  /** Eve writes a project secret bound to `allowedHosts` (none when undefined). */
  async function eveWrites(name: string, value: string, allowedHosts?: string[]) {
    const path = `keys/project/${project}/${name}`;
    const put = await stage.t.call("POST", "/api/v1/secrets", {
      token: eve,
      body: { path, value, replace: true, ...(allowedHosts === undefined ? {} : { allowedHosts }) },
    });
    expect(put.statusCode, put.body).toBeLessThan(300);
    return { path, metadata: put.json<{ allowedHosts: string[] | null }>() };
  }

  async function bobSaves(yaml: string) {
    return stage.t.call("POST", `/api/v1/workflows?project=${project}`, {
      token: bob,
      body: yaml,
      headers: { "content-type": "application/yaml" },
    });
  }

  async function bobRuns(name: string, inputs: Record<string, unknown> = {}) {
    const started = await stage.t.call("POST", `/api/v1/workflows/${name}/runs`, {
      token: bob,
      body: { inputs },
    });
    expect(started.statusCode, started.body).toBe(202);
    const id = started.json<{ id: string }>().id;
    const run: RunView = await waitForRun(stage.t, id);
    const detail = (await stage.t.call("GET", `/api/v1/runs/${id}`, { token: bob })).body;
    return { run, detail };
  }

  async function expectNowhere(secret: string, ...texts: string[]): Promise<void> {
    const stored = [await databaseText(suite), stage.t.logs.join("\n"), ...texts].join("\n");
    for (const form of forms(secret)) expect(stored).not.toContain(form);
  }

  async function usesOf(path: string): Promise<unknown[]> {
    const audit = await stage.t.call(
      "GET",
      `/api/v1/audit?action=secret.use&objectId=${encodeURIComponent(path)}`,
    );
    expect(audit.statusCode, audit.body).toBe(200);
    return audit.json<{ items: unknown[] }>().items;
  }

  it("the echo attack of F5 is refused at save, and at run time where the URL comes from an earlier step", async () => {
    const secret = `EVE-ONLY-${randomBytes(12).toString("hex")}`;
    const { path } = await eveWrites("deploy-token", secret, [`127.0.0.1:${trusted.port}`]);

    const literal = await bobSaves(`name: leak
steps:
  - id: h
    http:
      method: POST
      url: http://127.0.0.1:${echo.port}/x
      body: \${{ secrets.t }}
      secrets: { t: ${path} }
      output: [status, body]
`);
    expect(literal.statusCode, literal.body).toBe(403);
    const refused = literal.json<ErrorBody>().error;
    expect(refused.code).toBe("SECRET_HOST_NOT_ALLOWED");
    expect(refused.message).toContain(path);
    expect(refused.message).toContain(`127.0.0.1:${echo.port}`);
    expect(refused.field).toBe("steps[0].http.secrets.t");

    // The same request with its URL computed by an earlier step: only the run can check it.
    const saved = await bobSaves(`name: leak-later
steps:
  - id: where
    transform: "http://127.0.0.1:${echo.port}/x"
  - id: h
    http:
      method: POST
      url: \${{ steps.where.output }}
      body: \${{ secrets.t }}
      secrets: { t: ${path} }
      output: [status, headers, body]
`);
    expect(saved.statusCode, saved.body).toBe(200);
    const { run, detail } = await bobRuns("leak-later");
    expect(run.status, detail).toBe("failed");
    const step = run.steps.find((s) => s.id === "h");
    expect(step?.status).toBe("failed");
    expect(step?.error?.code).toBe("SECRET_HOST_NOT_ALLOWED");
    expect(step?.error?.message).toContain(path);
    expect(step?.error?.message).toContain(`127.0.0.1:${echo.port}`);
    // Nothing reached the echo server, and the value was not even decrypted (no secret.use).
    expect(echoed).toEqual([]);
    expect(await usesOf(path)).toEqual([]);
    await expectNowhere(secret, detail);
  });

  it("a value that would move the URL's host once put in (user info with @) is refused, not sent elsewhere", async () => {
    const secret = `u@127.0.0.1:${echo.port}/`;
    const { path } = await eveWrites("userinfo", secret, [`127.0.0.1:${trusted.port}`]);
    const saved = await bobSaves(`name: userinfo
steps:
  - id: h
    http:
      method: GET
      url: http://\${{ secrets.t }}@127.0.0.1:${trusted.port}/x
      secrets: { t: ${path} }
`);
    expect(saved.statusCode, saved.body).toBe(200);
    const { run, detail } = await bobRuns("userinfo");
    expect(run.steps[0]?.error?.code, detail).toBe("SECRET_HOST_NOT_ALLOWED");
    expect(run.steps[0]?.error?.message).toContain("changes where the URL goes");
    expect(echoed).toEqual([]);
    expect(delivered).toEqual([]);
  });

  it("preflight names the secret and the host when the URL is known from the inputs", async () => {
    const { path } = await eveWrites("preflight-token", `pf-${randomBytes(12).toString("hex")}`, [
      `127.0.0.1:${trusted.port}`,
    ]);
    const saved = await bobSaves(`name: leak-by-input
inputs:
  url: { type: string }
steps:
  - id: h
    http:
      method: POST
      url: \${{ inputs.url }}
      headers: { authorization: \${{ secrets.t }} }
      secrets: { t: ${path} }
`);
    expect(saved.statusCode, saved.body).toBe(200);
    const preflight = async (url: string) => {
      const answer = await stage.t.call("POST", "/api/v1/workflows/leak-by-input/preflight", {
        token: bob,
        body: { inputs: { url } },
      });
      expect(answer.statusCode, answer.body).toBe(200);
      return answer.json<{ ok: boolean; steps: { id: string; notes: string[] }[] }>();
    };
    const toEcho = await preflight(`http://127.0.0.1:${echo.port}/x`);
    expect(toEcho.ok).toBe(false);
    expect(toEcho.steps[0]?.notes.join(" ")).toContain(path);
    expect(toEcho.steps[0]?.notes.join(" ")).toContain(`127.0.0.1:${echo.port}`);
    const toTrusted = await preflight(`http://127.0.0.1:${trusted.port}/deploy`);
    expect(toTrusted).toMatchObject({ ok: true, steps: [{ id: "h", notes: [] }] });
  });

  it("a secret reaches a host its writer allowed; the answer keeps only its status unless the step asks for more", async () => {
    const secret = `DEPLOY-${randomBytes(12).toString("hex")}`;
    const { path, metadata } = await eveWrites("deploy-key", secret, [`127.0.0.1:${trusted.port}`]);
    expect(metadata.allowedHosts).toEqual([`127.0.0.1:${trusted.port}`]);
    const definition = (name: string, output: string) => `name: ${name}
steps:
  - id: deploy
    http:
      method: POST
      url: http://127.0.0.1:${trusted.port}/${output === "" ? "echo" : "deploy"}
      headers: { authorization: \${{ secrets.t }} }
      body: { service: web }
      secrets: { t: ${path} }
${output}  - id: after
    transform: \${{ steps.deploy.output }}
`;
    expect((await bobSaves(definition("deploy-default", ""))).statusCode).toBe(200);
    const plain = await bobRuns("deploy-default");
    expect(plain.run.status, plain.detail).toBe("succeeded");
    expect(delivered).toEqual([{ authorization: secret, body: '{"service":"web"}' }]);
    // The body echoed the key in base64, which redaction cannot see: it is not stored at all.
    expect(plain.run.steps.map((s) => s.output)).toEqual([{ status: 200 }, { status: 200 }]);

    // A step that needs the answer asks for it (here from a path that does not echo the key).
    const asked = definition("deploy-body", "      output: [status, headers, body]\n");
    expect((await bobSaves(asked)).statusCode).toBe(200);
    const full = await bobRuns("deploy-body");
    expect(full.run.status, full.detail).toBe("succeeded");
    const output = full.run.steps[0]?.output as {
      status: number;
      headers: Record<string, string>;
      body: { accepted: boolean };
    };
    expect(output.status).toBe(200);
    expect(output.headers["x-deploy-id"]).toBe("d-42");
    expect(output.body).toEqual({ accepted: true });
    await expectNowhere(secret, plain.detail, full.detail);
    expect(await usesOf(path)).toHaveLength(2);
  });

  it("a secret written without allowedHosts (as every secret before them) goes to no host until its value is written again with them", async () => {
    const first = `OLD-${randomBytes(12).toString("hex")}`;
    const { path, metadata } = await eveWrites("legacy", first);
    expect(metadata.allowedHosts).toBeNull();
    const definition = `name: legacy-call
steps:
  - id: call
    http:
      method: GET
      url: http://127.0.0.1:${trusted.port}/legacy
      headers: { authorization: \${{ secrets.t }} }
      secrets: { t: ${path} }
`;
    const refusedSave = await bobSaves(definition);
    expect(refusedSave.statusCode, refusedSave.body).toBe(403);
    expect(refusedSave.json<ErrorBody>().error).toMatchObject({
      code: "SECRET_HOST_NOT_ALLOWED",
      field: "steps[0].http.secrets.t",
    });
    expect(refusedSave.json<ErrorBody>().error.message).toContain("bound to no host");

    const second = `NEW-${randomBytes(12).toString("hex")}`;
    await eveWrites("legacy", second, [`127.0.0.1:${trusted.port}`]);
    expect((await bobSaves(definition)).statusCode).toBe(200);
    const bound = await bobRuns("legacy-call");
    expect(bound.run.status, bound.detail).toBe("succeeded");
    expect(delivered.map((d) => d.authorization)).toEqual([second]);

    // The hosts belong to the value: writing it again without them unbinds it, and the saved
    // workflow's run is refused when it would send it.
    const third = `THIRD-${randomBytes(12).toString("hex")}`;
    const rewritten = await eveWrites("legacy", third);
    expect(rewritten.metadata.allowedHosts).toBeNull();
    const unbound = await bobRuns("legacy-call");
    expect(unbound.run.steps[0]?.error?.code, unbound.detail).toBe("SECRET_HOST_NOT_ALLOWED");
    expect(unbound.run.steps[0]?.error?.message).toContain("bound to no host");
    expect(delivered).toHaveLength(1);
    await expectNowhere(first, bound.detail, unbound.detail);
    await expectNowhere(third, bound.detail, unbound.detail);
  });

  it("allowedHosts takes the allow-list's patterns and refuses anything else, naming the field", async () => {
    for (const [bad, expected] of [
      ["https://api.example.com", "not a URL"],
      ["*", "every host"],
      ["*.com", "two labels"],
    ] as const) {
      const put = await stage.t.call("POST", "/api/v1/secrets", {
        token: eve,
        body: { path: `keys/project/${project}/bad`, value: "x-value", allowedHosts: [bad] },
      });
      expect(put.statusCode, put.body).toBe(400);
      const error = put.json<ErrorBody>().error;
      expect(error.field).toBe("allowedHosts.0");
      expect(error.message).toContain(expected);
    }
    const listed = await stage.t.call("GET", `/api/v1/secrets?prefix=keys/project/${project}/`, {
      token: bob,
    });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.body).not.toContain(`keys/project/${project}/bad`);
  });
});
