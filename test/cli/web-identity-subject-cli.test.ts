import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startServerProcess, type ServerProcess } from "../helpers/cli.js";

const ROLE = "arn:aws:iam::222222222222:role/sb-web";
const WEB = ["--method", "web_identity", "--role-arn", ROLE];

describe("switchboard connection --confirm-subject-reuse", () => {
  let home: string;
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-subject-cli-"));
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

  const cli = (...args: string[]) => runCli(["connection", ...args], { env });
  // What each test starts from is made through the API: quicker than a CLI process per step.
  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${server.url}/api/v1${route}`, {
      method,
      headers: {
        authorization: "Bearer sb_test",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.ok, `${method} ${route}: ${await response.text()}`).toBe(true);
  };
  const webIdentity = (name: string) => ({ name, method: "web_identity", roleArn: ROLE });

  it("drafts and adds a web_identity connection on a removed one's subject only with --confirm-subject-reuse", async () => {
    await api("POST", "/connections", webIdentity("gone-web"));
    await api("DELETE", "/connections/gone-web");

    const refusedDraft = await cli("draft", "gone-web", ...WEB);
    expect(refusedDraft.code).not.toBe(0);
    expect(refusedDraft.stderr).toContain("[name] (WEB_IDENTITY_SUBJECT_RESERVED)");
    const draft = await cli("draft", "gone-web", ...WEB, "--confirm-subject-reuse");
    expect(draft.stderr).toBe("");
    expect(draft.stdout).toContain('"switchboard:connection/gone-web"');

    const refused = await cli("add", "gone-web", ...WEB);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("WEB_IDENTITY_SUBJECT_RESERVED");
    const added = await cli("add", "gone-web", ...WEB, "--confirm-subject-reuse");
    expect(added.stderr).toBe("");
    expect(added.stdout).toContain("connection gone-web added (web_identity");
  });

  it("renames a web_identity connection onto a renamed one's subject only with --confirm-subject-reuse", async () => {
    await api("POST", "/connections", webIdentity("before-web"));
    await api("PATCH", "/connections/before-web", { name: "after-web", confirmRename: true });
    await api("POST", "/connections", webIdentity("other-web"));

    const refused = await cli("edit", "other-web", "--rename", "before-web", "--confirm-rename");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("WEB_IDENTITY_SUBJECT_RESERVED");
    const renamed = await cli(
      "edit",
      "other-web",
      "--rename",
      "before-web",
      "--confirm-rename",
      "--confirm-subject-reuse",
      "--json",
    );
    expect(renamed.stderr).toBe("");
    expect(JSON.parse(renamed.stdout)).toMatchObject({
      name: "before-web",
      method: "web_identity",
    });
  });
});
