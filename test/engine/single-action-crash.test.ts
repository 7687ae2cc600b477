import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { serverApi, startServerOnDatabase, type ServerProcess } from "../helpers/cli.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { DEMO_WORLD } from "../helpers/demo-setup.js";

// The demo world's management account: a read-only user Switchboard signs in as.
const KEY = { id: "AKIAMANAGEMENTSWITCH1", secret: "management-switchboard-secret-000000000" };
const DESCRIBE = "ec2:DescribeInstances";

/**
 * A single action is answered in its request (SQLite: its job claimed by the server as it is
 * created; PostgreSQL: through the queue). A server killed while the call is out must not leave
 * the run `running`: the next server takes the job when its lease runs out and runs the read again.
 */
describeEachDatabase("a server killed (kill -9) during a single action", (suite) => {
  let home: string;
  let emulator: Emulator;
  let server: ServerProcess | undefined;

  const start = async () => {
    server = await startServerOnDatabase(suite.testDatabase().config, {
      SWITCHBOARD_DATA_DIR: path.join(home, "data"),
    });
    return server;
  };
  const api = serverApi(() => {
    if (server === undefined) throw new Error("no server");
    return server.url;
  });

  beforeAll(async () => {
    emulator = await startEmulator({ world: DEMO_WORLD });
    home = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-single-crash-"));
    await start();
    await api("PUT", "/settings/outbound", {
      allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`],
    });
    await api("POST", "/secrets", {
      path: "keys/system/mgmt",
      type: "password",
      value: KEY.secret,
    });
    await api("POST", "/connections", {
      name: "mgmt",
      method: "access_key",
      accessKeyId: KEY.id,
      secretPath: "keys/system/mgmt",
      endpoint: emulator.url,
      regions: ["us-east-1"],
    });
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await emulator.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("leaves the run to the next server, which runs the read again and finishes it", async () => {
    emulator.setKnobs({ latencyMs: { ec2: 4_000 } });
    emulator.resetCounters();
    const asked = fetch(`${server?.url}/api/v1/actions/aws.ec2.describeInstances/run`, {
      method: "POST",
      headers: { authorization: "Bearer sb_test", "content-type": "application/json" },
      body: JSON.stringify({ connection: "mgmt", region: "us-east-1", input: {} }),
    }).catch((error: unknown) => error);
    for (let i = 0; (emulator.counters().byOperation[DESCRIBE] ?? 0) === 0; i += 1) {
      if (i > 600) throw new Error("the call never reached the emulator");
      await sleep(50);
    }
    await server?.stop("SIGKILL");
    // The request died with its server: no answer, and the run is on record, still running.
    expect(await asked).toBeInstanceOf(Error);

    emulator.setKnobs({ latencyMs: { ec2: 0 } });
    await start();
    const runs = await api<{ items: { id: string; status: string }[] }>("GET", "/runs?limit=5");
    const run = runs.items[0];
    if (run === undefined) throw new Error("the run is not on record");
    let status = run.status;
    for (let i = 0; !["succeeded", "failed", "partial", "cancelled"].includes(status); i += 1) {
      if (i > 240) throw new Error(`the run is still ${status} after a minute`);
      await sleep(250);
      status = (await api<{ status: string }>("GET", `/runs/${run.id}`)).status;
    }
    expect(status).toBe("succeeded");
    const detail = await api<{ results?: { status: string; output?: unknown }[] }>(
      "GET",
      `/runs/${run.id}`,
    );
    expect(detail.results?.map((r) => r.status)).toEqual(["succeeded"]);
    // A read is run again: sent once by the killed server, once by the next.
    expect(emulator.counters().byOperation[DESCRIBE]).toBe(2);
  });
});
