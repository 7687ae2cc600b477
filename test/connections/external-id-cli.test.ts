import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startServerProcess, type ServerProcess } from "../helpers/cli.js";

const ROLE = "arn:aws:iam::333333333333:role/sb";

describe("switchboard connection draft, add --external-id and rotate-external-id", () => {
  let home: string;
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-external-id-cli-"));
    server = await startServerProcess({
      SWITCHBOARD_DATA_DIR: path.join(home, "data"),
      SWITCHBOARD_BOOTSTRAP_TOKEN: "sb_test",
    });
    env = {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, ".config"),
      SWITCHBOARD_URL: server.url,
      SWITCHBOARD_TOKEN: "sb_test",
    };
  });
  afterAll(async () => {
    await server.stop("SIGKILL");
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("prints the ExternalId a draft will keep, saves the connection with it, and rotates it with a warning", async () => {
    const draft = await runCli(
      ["connection", "draft", "prod", "--method", "assume_role", "--role-arn", ROLE],
      { env },
    );
    expect(draft.stderr).toBe("");
    const drafted = /^external id: (switchboard-[\w-]{32})$/m.exec(draft.stdout)?.[1];
    expect(drafted).toBeDefined();
    expect(draft.stdout).toContain(`"sts:ExternalId": "${drafted ?? ""}"`);

    const add = await runCli(
      [
        "connection",
        "add",
        "prod",
        "--method",
        "assume_role",
        "--role-arn",
        ROLE,
        "--external-id",
        drafted ?? "",
      ],
      { env },
    );
    expect(add.stderr).toBe("");
    expect(add.stdout).toContain(
      `the role's trust policy must require sts:ExternalId ${drafted ?? ""}`,
    );
    const again = await runCli(
      [
        "connection",
        "add",
        "prod-2",
        "--method",
        "assume_role",
        "--role-arn",
        ROLE,
        "--external-id",
        drafted ?? "",
      ],
      { env },
    );
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/externalId/);

    const rotated = await runCli(["connection", "rotate-external-id", "prod"], { env });
    expect(rotated.code).toBe(0);
    const fresh = /^external id: (switchboard-[\w-]{32})$/m.exec(rotated.stdout)?.[1];
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(drafted);
    expect(rotated.stderr).toMatch(/^warning: the role's trust policy must now require/);
    const shown = await runCli(["connection", "show", "prod"], { env });
    expect(shown.stdout).toContain(`external id: ${fresh ?? ""}`);
  });
});
