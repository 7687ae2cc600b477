import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

// The SDK's silence limit in this test (30 s in production), which bounds a whole connection test.
const SILENCE_MS = 2_000;

interface TestResult {
  ok: boolean;
  error: { code: string; message: string; fix: string } | null;
}

describeEachDatabase("a connection test against an endpoint that never answers", (suite) => {
  let t: TestApp;
  let endpoint: string;
  // Accepts connections and never says a word: a hung proxy or VPC endpoint.
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    t = await createTestApp(suite.handle().db, {
      sdkTimeouts: { connectMs: 1_000, idleMs: SILENCE_MS },
      // The server's own identity, which assume_role uses to call the silent endpoint's STS.
      ambientProvider: () => () =>
        Promise.resolve({ accessKeyId: "AKIASERVERIDENTITY01", secretAccessKey: "s".repeat(40) }),
    });
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: [endpoint.replace("http://", "")] },
    });
    await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/silent-key", value: "k".repeat(40) },
    });
  });
  afterAll(async () => {
    await t.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  async function create(name: string, body: object): Promise<void> {
    const created = await t.call("POST", "/api/v1/connections", {
      body: { name, endpoint, regions: ["us-east-1"], ...body },
    });
    expect(created.statusCode, created.body).toBe(201);
  }

  async function timedTest(url: string, body?: object): Promise<[TestResult, number]> {
    const started = performance.now();
    const response = await t.call("POST", url, body === undefined ? {} : { body });
    const elapsedMs = performance.now() - started;
    expect(response.statusCode, response.body).toBe(200);
    return [response.json<TestResult>(), elapsedMs];
  }

  function expectUnreachable(result: TestResult, elapsedMs: number): void {
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({
      code: "AWS_UNREACHABLE",
      message: `no answer from ${endpoint} within 2 s: the connection test stopped waiting`,
      fix: expect.stringContaining(`Switchboard cannot reach ${endpoint}`) as unknown,
    });
    // One deadline over the whole test, not one silence limit per call and retry (3 or more).
    expect(elapsedMs).toBeGreaterThanOrEqual(SILENCE_MS - 100);
    expect(elapsedMs).toBeLessThan(2.5 * SILENCE_MS);
  }

  it("ends at the silence limit naming the endpoint when sts:GetCallerIdentity never answers", async () => {
    await create("silent-keys", {
      method: "access_key",
      accessKeyId: "AKIASILENTENDPOINT01",
      secretPath: "keys/system/silent-key",
    });
    expectUnreachable(...(await timedTest("/api/v1/connections/silent-keys/test")));
  });

  it("ends at the silence limit naming the endpoint when sts:AssumeRole never answers", async () => {
    await create("silent-role", {
      method: "assume_role",
      roleArn: "arn:aws:iam::123456789012:role/switchboard-read",
    });
    expectUnreachable(...(await timedTest("/api/v1/connections/silent-role/test")));
  });

  it("ends a draft's test at the silence limit too", async () => {
    expectUnreachable(
      ...(await timedTest("/api/v1/connections/test", {
        name: "silent-draft",
        method: "access_key",
        accessKeyId: "AKIASILENTENDPOINT01",
        secretPath: "keys/system/silent-key",
        endpoint,
        regions: ["us-east-1"],
      })),
    );
  });
});
