import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli, startServerOnDatabase, type ServerProcess } from "../helpers/cli.js";
import { describeEachDatabase } from "../helpers/databases.js";

describeEachDatabase("switchboard settings outbound", (suite) => {
  let server: ServerProcess;
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-home-"));
    server = await startServerOnDatabase(suite.testDatabase().config, {
      SWITCHBOARD_DATA_DIR: path.join(home, "data"),
    });
    env = { HOME: home, SWITCHBOARD_URL: server.url, SWITCHBOARD_TOKEN: "sb_test" };
  });
  afterAll(async () => {
    await server.stop("SIGKILL");
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("shows the defaults, then sets, adds and removes patterns", async () => {
    const shown = await runCli(["settings", "outbound", "show"], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(
      "*.amazonaws.com\n*.amazonaws.com.cn\n*.api.aws\n(the defaults: never changed)\n",
    );

    const added = await runCli(["settings", "outbound", "set", "--add", "localhost:4566"], {
      env,
    });
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(
      /^\*\.amazonaws\.com\n\*\.amazonaws\.com\.cn\n\*\.api\.aws\nlocalhost:4566\n\(updated .+ by user:admin\)\n$/,
    );

    const removed = await runCli(
      ["--json", "settings", "outbound", "set", "--remove", "*.amazonaws.com.cn", "*.api.aws"],
      { env },
    );
    expect(JSON.parse(removed.stdout)).toMatchObject({
      allow: ["*.amazonaws.com", "localhost:4566"],
      isDefault: false,
    });

    const replaced = await runCli(["settings", "outbound", "set", "*.amazonaws.com"], { env });
    expect(replaced.stdout.split("\n")[0]).toBe("*.amazonaws.com");
    expect(replaced.stdout.split("\n")[1]).toMatch(/^\(updated/);
  });

  it("prints the API's reason for a bad pattern and exits 1", async () => {
    const bad = await runCli(["settings", "outbound", "set", "*.amazonaws.com", "*"], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("allow.1");
    expect(bad.stderr).toContain("every host");
  });
});
