import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { runCli, startServerProcess, type ServerProcess } from "../helpers/cli.js";
import { hubAccount } from "../helpers/worlds.js";
import { HUB, MANAGEMENT, MANAGER } from "./organization-world.js";

const MEMBERS = ["400000000001", "400000000002", "400000000003"];

function world(): WorldInput {
  return {
    regions: ["us-east-1"],
    accounts: [
      hubAccount(HUB),
      {
        id: MANAGEMENT,
        name: "management",
        users: [
          {
            name: "org-admin",
            accessKeys: [{ id: MANAGER.id, secret: MANAGER.secret }],
            policies: ["arn:aws:iam::aws:policy/AdministratorAccess"],
          },
        ],
      },
      ...MEMBERS.map((id, i) => ({ id, name: `member-${i + 1}` })),
    ],
    organization: {
      managementAccount: MANAGEMENT,
      units: [{ name: "Workloads", accounts: MEMBERS }],
    },
  };
}

describe("switchboard org add | show | template | deploy | sync", () => {
  let home: string;
  let server: ServerProcess;
  let emulator: Emulator;
  let env: NodeJS.ProcessEnv;

  async function api(method: string, route: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${server.url}/api/v1${route}`, {
      method,
      headers: {
        authorization: "Bearer sb_test",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    expect(response.ok, text).toBe(true);
    return text === "" ? null : JSON.parse(text);
  }

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-org-cli-"));
    emulator = await startEmulator({ world: world() });
    server = await startServerProcess({
      SWITCHBOARD_DATA_DIR: path.join(home, "data"),
      SWITCHBOARD_BOOTSTRAP_TOKEN: "sb_test",
      // The server's own identity (the hub connection) is the emulator's instance role.
      AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.url,
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      AWS_CONFIG_FILE: "/nonexistent/config",
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
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
    await api("POST", "/secrets", { path: "keys/system/org-admin", value: MANAGER.secret });
    await api("POST", "/connections", {
      name: "mgmt",
      method: "access_key",
      accessKeyId: MANAGER.id,
      secretPath: "keys/system/org-admin",
      access: "full",
      regions: ["us-east-1"],
      endpoint: emulator.url,
    });
    await api("POST", "/connections", {
      name: "hub",
      method: "ambient",
      regions: ["us-east-1"],
      endpoint: emulator.url,
    });
    for (const name of ["mgmt", "hub"])
      expect(await api("POST", `/connections/${name}/test`)).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await emulator?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("adds and onboards an organization, writes the template, deploys it and shows every account reachable", async () => {
    const tree = (await api("GET", "/organizations")) as { items: unknown[] };
    expect(tree.items).toEqual([]);
    const bad = await runCli(["org", "add", "Bad Name", "--connection", "mgmt"], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/name/);

    const added = await runCli(["org", "add", "acme", "--connection", "mgmt"], { env });
    expect(added.stderr).toBe("");
    const shown = JSON.parse((await runCli(["org", "show", "acme", "--json"], { env })).stdout) as {
      ous: { id: string; path: string }[];
    };
    const workloads = shown.ous.find((ou) => ou.path === "Root/Workloads")?.id ?? "";
    const onboard = await runCli(
      [
        "org",
        "onboard",
        "acme",
        "--ou",
        workloads,
        "--hub",
        "hub",
        "--region",
        "us-east-1",
        "--role-name",
        "sb-member",
      ],
      { env },
    );
    expect(onboard.stderr).toBe("");
    expect(onboard.stdout).toContain("3 member connections created");
    expect(onboard.stdout).toContain(`skipped ${MANAGEMENT}: the management account`);

    const file = path.join(home, "member-role.json");
    const template = await runCli(["org", "template", "acme", "--output", file], { env });
    expect(template.code).toBe(0);
    const body = JSON.parse(fs.readFileSync(file, "utf8")) as {
      Resources: Record<string, { Type: string; Properties: { RoleName: string } }>;
    };
    expect(Object.values(body.Resources).map((r) => [r.Type, r.Properties.RoleName])).toEqual([
      ["AWS::IAM::Role", "sb-member"],
    ]);
    expect(template.stderr).toContain(
      "console: https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacksets/create",
    );

    const deploy = await runCli(["org", "deploy", "acme", "--region", "us-east-1"], { env });
    expect(deploy.stderr).toBe("");
    expect(deploy.stdout).toContain("StackSet Switchboard-acme in us-east-1: SUCCEEDED");

    const sync = await runCli(["org", "sync", "acme"], { env });
    expect(sync.stderr).toBe("");
    for (const id of MEMBERS)
      expect(sync.stdout).toMatch(
        new RegExp(`${id}\\s+member-\\d\\s+acme-${id}\\s+SUCCEEDED\\s+ok`),
      );
    expect(sync.stdout).toMatch(new RegExp(`${MANAGEMENT}.*management account`));
  });
});
