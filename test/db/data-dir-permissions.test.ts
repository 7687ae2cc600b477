import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "../helpers/cli.js";

const modeOf = (target: string) => `0${(fs.statSync(target).mode & 0o777).toString(8)}`;

describe.skipIf(process.platform === "win32")("data directory permissions", () => {
  const homes: string[] = [];
  let server: ServerProcess | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
    for (const home of homes.splice(0)) fs.rmSync(home, { recursive: true, force: true });
  });

  function freshDataDir(): string {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-perms-"));
    homes.push(home);
    return path.join(home, "data");
  }

  const start = (dataDir: string) =>
    startServerProcess({ SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_BOOTSTRAP_TOKEN: "sb_test" });

  it("creates a fresh data directory 0700 with the database, its -wal and -shm, and the master key 0600", async () => {
    const dataDir = freshDataDir();
    server = await start(dataDir);
    expect(modeOf(dataDir)).toBe("0700");
    const files = ["switchboard.db", "switchboard.db-wal", "switchboard.db-shm", "master.key"];
    expect(fs.readdirSync(dataDir).sort()).toEqual(expect.arrayContaining(files));
    for (const file of fs.readdirSync(dataDir))
      expect(modeOf(path.join(dataDir, file)), file).toBe("0600");
  });

  it("tightens a data directory and files left readable by other users at start, with a warning for each", async () => {
    const dataDir = freshDataDir();
    server = await start(dataDir);
    // Killed, so the -wal and -shm stay behind as after a crash; then opened up as by a careless
    // copy or an older version.
    await server.stop("SIGKILL");
    server = undefined;
    const files = ["switchboard.db", "switchboard.db-wal", "switchboard.db-shm", "master.key"];
    fs.chmodSync(dataDir, 0o755);
    for (const file of files) fs.chmodSync(path.join(dataDir, file), 0o644);

    server = await start(dataDir);
    expect(modeOf(dataDir)).toBe("0700");
    for (const file of files) expect(modeOf(path.join(dataDir, file)), file).toBe("0600");
    const warnings = server
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { level: number | string; msg: string; path?: string })
      .filter((entry) => entry.msg.includes("readable by other local users"));
    expect(warnings.map((w) => w.path).sort()).toEqual(
      [dataDir, ...files.map((file) => path.join(dataDir, file))].sort(),
    );
    for (const warning of warnings) {
      expect(warning.level).toBeOneOf([40, "warn"]);
      expect(warning.msg).toMatch(/tightened to 0[76]00/);
    }
  });
});
