import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { useEmulatorAsInstance, useExternalId } from "../helpers/demo-setup.js";
import { hubAccount, trustingHost } from "../helpers/worlds.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const HUB = "100000000000";
const MEMBER = "100000000001";

interface FanOut {
  summary: { total: number; succeeded: number; failed: number };
  results: {
    connection: string;
    status: string;
    error?: { code: string; message: string; fix?: string };
  }[];
}

describeEachDatabase("an account that never answers", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let restoreEnv: () => void;
  // Accepts connections and never says a word: a hung proxy or VPC endpoint.
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    t = await createTestApp(suite.handle().db, { sdkTimeouts: { connectMs: 1_000, idleMs: 400 } });
    // The role trusts one ExternalId; each connection gets it once created.
    const externalId = "sb-unreachable-external-id";
    emulator = await startEmulator({
      world: {
        regions: ["us-east-1"],
        accounts: [
          hubAccount(HUB),
          {
            id: MEMBER,
            name: "member",
            roles: [
              {
                name: "switchboard-read",
                trust: trustingHost(HUB, externalId),
                policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
              },
            ],
          },
        ],
      },
    });
    restoreEnv = useEmulatorAsInstance(emulator.url);
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: [`127.0.0.1:${emulator.port}`, `127.0.0.1:${port}`] },
    });
    for (const [name, endpoint] of [
      ["answers", emulator.url],
      ["silent", `http://127.0.0.1:${port}`],
    ]) {
      const created = await t.call("POST", "/api/v1/connections", {
        body: {
          name,
          method: "assume_role",
          roleArn: `arn:aws:iam::${MEMBER}:role/switchboard-read`,
          endpoint,
          regions: ["us-east-1"],
        },
      });
      expect(created.statusCode, created.body).toBe(201);
    }
    await useExternalId(suite.handle().db, externalId);
  });
  afterAll(async () => {
    restoreEnv();
    await t.close();
    await emulator.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it("fails that target after the request timeout and answers with the others", async () => {
    const response = await t.call("POST", "/api/v1/actions/aws.ec2.describeInstances/run", {
      // Both reach one account: every connection, or the second would be skipped.
      body: { connections: "*", regions: "*", everyConnection: true, input: {} },
    });
    expect(response.statusCode, response.body).toBe(200);
    const fanOut = response.json<FanOut>();
    expect(fanOut.summary).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
    const silentResult = fanOut.results.find((r) => r.connection === "silent");
    expect(silentResult?.status).toBe("failed");
    expect(silentResult?.error).toMatchObject({
      code: "TimeoutError",
      message: expect.stringContaining("timed out after 400 ms of inactivity") as unknown,
      fix: expect.stringContaining("Switchboard cannot reach http://127.0.0.1:") as unknown,
    });
    expect(fanOut.results.find((r) => r.connection === "answers")?.status).toBe("succeeded");
  });
});
