import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { startServerOnDatabase, type ServerProcess } from "../helpers/cli.js";
import { describeEachDatabase } from "../helpers/databases.js";

const ACCOUNT = "444444444444";
const KEY = { id: "AKIAINTERRUPTED00001", secret: "interrupted-runs-secret-000000000000000" };
const CONNECTIONS = Array.from({ length: 10 }, (_, i) => `member-${i + 1}`);
/** Long enough that a fan-out is still in flight while the test starts and kills servers. */
const EC2_LATENCY_MS = 6_000;
/** For calls that must not finish before the server is killed. */
const HANG_MS = 120_000;

/** Polls until `probe` gives a value (no timing is asserted: the limit only ends a hung test). */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface RunView {
  id: string;
  actionId: string;
  status: string;
  targetCount: number;
  summary: { total: number; succeeded: number } | null;
  results?: { connection: string; status: string }[];
}

describeEachDatabase("runs a killed server left behind", (suite) => {
  let emulator: Emulator;
  let dataDir: string;
  const masterKey = randomBytes(32).toString("base64");
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({
      world: {
        regions: ["us-east-1"],
        accounts: [
          {
            id: ACCOUNT,
            name: "fleet",
            users: [
              {
                name: "ops",
                accessKeys: [{ id: KEY.id, secret: KEY.secret }],
                policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
              },
            ],
          },
        ],
      },
    });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-interrupted-"));
  });
  afterEach(async () => {
    emulator.setKnobs({ latencyMs: 0 });
    for (const server of servers.splice(0)) await server.stop("SIGKILL");
  });
  afterAll(async () => {
    await emulator.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** `switchboard serve` as its own process on this suite's database (SQLite file or PostgreSQL). */
  async function serve(): Promise<ServerProcess> {
    const server = await startServerOnDatabase(suite.testDatabase().config, {
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_MASTER_KEY: masterKey,
    });
    servers.push(server);
    return server;
  }

  async function kill(server: ServerProcess, signal: NodeJS.Signals = "SIGKILL") {
    servers.splice(servers.indexOf(server), 1);
    await server.stop(signal);
  }

  function api(server: ServerProcess, method: string, url: string, body?: unknown) {
    return fetch(`${server.url}/api/v1${url}`, {
      method,
      headers: {
        authorization: "Bearer sb_test",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async function getRun(server: ServerProcess, id: string): Promise<RunView> {
    const response = await api(server, "GET", `/runs/${id}`);
    expect(response.status).toBe(200);
    return (await response.json()) as RunView;
  }

  async function listRuns(server: ServerProcess): Promise<RunView[]> {
    return ((await (await api(server, "GET", "/runs?limit=100")).json()) as { items: RunView[] })
      .items;
  }

  async function interruptedEvents(server: ServerProcess, runId: string) {
    const response = await api(
      server,
      "GET",
      `/audit?action=action.run.interrupted&objectId=${encodeURIComponent(runId)}`,
    );
    return ((await response.json()) as { items: { actor: string; detail: unknown }[] }).items;
  }

  /** Ten connections to one account and region, tested (so they share its per-account bound). */
  async function connect(server: ServerProcess) {
    expect(
      (
        await api(server, "PUT", "/settings/outbound", {
          allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`],
        })
      ).status,
    ).toBe(200);
    const secret = await api(server, "POST", "/secrets", {
      path: "keys/system/fleet",
      value: KEY.secret,
    });
    expect([201, 409]).toContain(secret.status);
    for (const name of CONNECTIONS) {
      const created = await api(server, "POST", "/connections", {
        name,
        method: "access_key",
        accessKeyId: KEY.id,
        secretPath: "keys/system/fleet",
        endpoint: emulator.url,
        regions: ["us-east-1"],
      });
      expect([201, 409]).toContain(created.status);
      const tested = await api(server, "POST", `/connections/${name}/test`);
      expect(((await tested.json()) as { ok: boolean }).ok).toBe(true);
    }
  }

  /** Starts a fan-out over the ten connections without waiting for it (the server may die). */
  function startFanOut(server: ServerProcess, actionId: string) {
    void api(server, "POST", `/actions/${actionId}/run`, {
      connections: "*",
      regions: ["us-east-1"],
      input: {},
    }).then(
      (response) => response.body?.cancel(),
      () => undefined,
    );
  }

  it("marks a fan-out cut short by kill -9 as interrupted when a server starts, keeping the targets it recorded, and leaves a live server's run alone", async () => {
    const first = await serve();
    await connect(first);
    const before = new Set((await listRuns(first)).map((r) => r.id));
    emulator.setKnobs({ latencyMs: { ec2: EC2_LATENCY_MS } });
    const calls = () => emulator.counters().byOperation["ec2:DescribeVpcs"] ?? 0;
    const callsBefore = calls();
    startFanOut(first, "aws.ec2.describeVpcs");
    // Eight calls per account, region and service at once: once the first eight have arrived,
    // the two after them will hang, so the run is still going when its server is killed.
    await waitFor("the first eight AWS requests", () =>
      Promise.resolve(calls() >= callsBefore + 8 ? true : undefined),
    );
    emulator.setKnobs({ latencyMs: { ec2: HANG_MS } });
    const run = await waitFor("the run to be listed", async () =>
      (await listRuns(first)).find(
        (r) => !before.has(r.id) && r.actionId === "aws.ec2.describeVpcs",
      ),
    );

    // Another server starting on the same database leaves the live server's run running.
    const second = await serve();
    expect((await getRun(second, run.id)).status).toBe("running");

    const midway = await waitFor("the first eight targets to be recorded", async () => {
      const now = await getRun(first, run.id);
      return (now.results ?? []).length === 8 ? now : undefined;
    });
    await kill(first);
    expect(midway.status).toBe("running");
    const recorded = (midway.results ?? []).map((r) => r.connection);
    expect((await getRun(second, run.id)).status).not.toBe("succeeded");
    await kill(second, "SIGTERM");

    const third = await serve();
    const after = await getRun(third, run.id);
    expect(after.status).toBe("interrupted");
    const kept = (after.results ?? []).map((r) => r.connection);
    expect(kept).toEqual(recorded);
    expect(after.summary).toMatchObject({ total: CONNECTIONS.length, succeeded: 8 });
    const events = await interruptedEvents(third, run.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: "system",
      detail: { action: "aws.ec2.describeVpcs", startedBy: "user:admin", targets: 10 },
    });
  });

  it("has a read-only run on record from before its first AWS call, so one killed at once is interrupted, not lost", async () => {
    const first = await serve();
    await connect(first);
    const before = new Set((await listRuns(first)).map((r) => r.id));
    emulator.setKnobs({ latencyMs: { ec2: EC2_LATENCY_MS } });
    const calls = () => emulator.counters().byOperation["ec2:DescribeSubnets"] ?? 0;
    const callsBefore = calls();
    startFanOut(first, "aws.ec2.describeSubnets");
    // Killed as soon as the first AWS request has arrived.
    await waitFor("the first AWS request", () =>
      Promise.resolve(calls() > callsBefore ? true : undefined),
    );
    await kill(first);

    const second = await serve();
    const runs = (await listRuns(second)).filter(
      (r) => !before.has(r.id) && r.actionId === "aws.ec2.describeSubnets",
    );
    expect(runs.map((r) => r.status)).toEqual(["interrupted"]);
    const run = runs[0];
    if (run === undefined) throw new Error("no run");
    expect(run.summary).toMatchObject({ total: CONNECTIONS.length, succeeded: 0 });
    expect(await interruptedEvents(second, run.id)).toHaveLength(1);
  });
});
