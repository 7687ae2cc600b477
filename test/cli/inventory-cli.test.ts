import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { runCli, serverApi, startServerOnDatabase, type ServerProcess } from "../helpers/cli.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { DEMO_WORLD } from "../helpers/demo-setup.js";

// The demo world's management account: a read-only user Switchboard signs in as.
const KEY = { id: "AKIAMANAGEMENTSWITCH1", secret: "management-switchboard-secret-000000000" };
const INSTANCE = "arn:aws:ec2:us-east-1:111111111111:instance/i-0a1b2c3d4e5f60001";

describeEachDatabase("switchboard inventory and prices commands", (suite) => {
  let home: string;
  let server: ServerProcess;
  let emulator: Emulator;
  let env: NodeJS.ProcessEnv;

  const api = serverApi(() => server.url);
  const cli = (...args: string[]) => runCli(args, { env });

  beforeAll(async () => {
    emulator = await startEmulator({ world: DEMO_WORLD });
    home = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-inventory-cli-"));
    server = await startServerOnDatabase(suite.testDatabase().config, {
      SWITCHBOARD_DATA_DIR: path.join(home, "data"),
    });
    env = {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, ".config"),
      SWITCHBOARD_URL: server.url,
      SWITCHBOARD_TOKEN: "sb_test",
    };
    await api("PUT", "/settings/outbound", {
      allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`],
    });
    await api("POST", "/secrets", {
      path: "keys/system/inventory-cli",
      type: "password",
      value: KEY.secret,
    });
    await api("POST", "/connections", {
      name: "mgmt",
      method: "access_key",
      accessKeyId: KEY.id,
      secretPath: "keys/system/inventory-cli",
      endpoint: emulator.url,
      regions: ["us-east-1"],
    });
  });
  afterAll(async () => {
    await server.stop("SIGKILL");
    await emulator.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("syncs, lists what is stored, shows the timeline, imports prices and estimates a budget", async () => {
    const sync = await cli(
      "inventory",
      "sync",
      "--connections",
      "mgmt",
      "--types",
      "ec2.vpc,ec2.subnet,ec2.instance",
      "--follow",
    );
    expect(sync.code, sync.stderr + sync.stdout).toBe(0);
    expect(sync.stdout).toContain("succeeded");

    const resources = await cli("inventory", "resources", "--connection", "mgmt");
    expect(resources.code, resources.stderr).toBe(0);
    expect(resources.stdout).toContain(INSTANCE);
    expect(resources.stdout).toContain("ec2.subnet");

    const timeline = await cli("inventory", "timeline", "--connection", "mgmt", "--json");
    expect(timeline.code, timeline.stderr).toBe(0);
    expect(JSON.parse(timeline.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ change: "appeared", arn: INSTANCE })]),
    );

    const imported = await cli("prices", "import", "test/fixtures/price-list/AmazonEC2.json");
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^imported \d+ AmazonEC2 prices published 2026-11-01/);

    // The demo instance is a t3.small: $0.0200 an hour in the fixture prices, × 730.
    const budget = await cli("inventory", "budget", INSTANCE);
    expect(budget.code, budget.stderr).toBe(0);
    expect(budget.stdout).toContain("total: $14.60 a month");
    const csv = await cli("inventory", "budget", INSTANCE, "--csv");
    expect(csv.stdout).toContain("total,,,14.60,false");

    const missing = await cli("prices", "import", path.join(home, "nothing.json"));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toContain("cannot read");
  });
});
