import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { runCli, startServerProcess, type ServerProcess } from "../helpers/cli.js";

const KEY = { id: "AKIACLITESTUSER00001", secret: "cli-test-user-secret-0000000000000000000" };
const SECRET_PATH = "keys/system/cli-key";

/** A name no other test uses, so each test makes and checks its own connections and users. */
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

describe("switchboard connection", () => {
  let home: string;
  let server: ServerProcess;
  let emulator: Emulator;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    emulator = await startEmulator({
      world: {
        regions: ["us-east-1", "eu-west-1"],
        accounts: [
          {
            id: "333333333333",
            name: "cli",
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
    home = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-conn-cli-"));
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
    expect(
      (
        await runCli(
          ["settings", "outbound", "set", "*.amazonaws.com", `127.0.0.1:${emulator.port}`],
          { env },
        )
      ).code,
    ).toBe(0);
    expect(
      (await runCli(["secret", "set", SECRET_PATH], { env, stdin: `${KEY.secret}\n` })).code,
    ).toBe(0);
  });
  afterAll(async () => {
    await server.stop("SIGKILL");
    await emulator.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  // What a test starts from is made through the API: quicker than a CLI process per step.
  const api = async <T = unknown>(
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = { authorization: "Bearer sb_test" },
  ): Promise<{ body: T; response: Response }> => {
    const response = await fetch(`${server.url}/api/v1${route}`, {
      method,
      headers: {
        ...headers,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    expect(response.ok, `${method} ${route}: ${text}`).toBe(true);
    return { body: (text === "" ? undefined : JSON.parse(text)) as T, response };
  };
  const addAccessKeyConnection = (name: string, secretPath = SECRET_PATH) =>
    api("POST", "/connections", {
      name,
      method: "access_key",
      accessKeyId: KEY.id,
      secretPath,
      endpoint: emulator.url,
      regions: ["us-east-1"],
    });
  /** The CLI environment of a new member who may execute only the given connection. */
  const memberWhoMayExecute = async (connection: string): Promise<NodeJS.ProcessEnv> => {
    const name = unique("member");
    const password = `${name}-password-123`;
    await api("POST", "/users", { name, password });
    await api("PUT", `/connections/${connection}/grants`, [
      { principal: `user:${name}`, role: "executor" },
    ]);
    const login = await api<{ csrfToken: string }>(
      "POST",
      "/auth/login",
      { username: name, password },
      {},
    );
    const cookie = login.response.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const token = await api<{ secret: string }>(
      "POST",
      "/tokens",
      { name: "cli" },
      { cookie, "x-csrf-token": login.body.csrfToken },
    );
    return { ...env, SWITCHBOARD_TOKEN: token.body.secret };
  };

  it("adds, tests, lists, shows and removes a connection", async () => {
    const ops = unique("ops");
    const prod = unique("prod");
    const add = await runCli(
      [
        "connection",
        "add",
        ops,
        "--method",
        "access_key",
        "--access-key-id",
        KEY.id,
        "--secret-path",
        SECRET_PATH,
        "--endpoint",
        emulator.url,
        "--region",
        "us-east-1",
        "--tag",
        "env=test",
      ],
      { env },
    );
    expect(add.stderr).toBe("");
    expect(add.stdout).toContain(`connection ${ops} added (access_key, read)`);
    const test = await runCli(["connection", "test", ops], { env });
    expect(test.stdout).toBe(
      "ok: arn:aws:iam::333333333333:user/ops in account 333333333333; 2 regions\n",
    );
    const list = await runCli(["connection", "list"], { env });
    expect(list.stdout).toMatch(
      new RegExp(
        `^${ops}\\s+access_key\\s+333333333333\\s+read\\s+us-east-1\\s+env=test\\s+ok `,
        "m",
      ),
    );
    const role = await runCli(
      [
        "connection",
        "add",
        prod,
        "--method",
        "assume_role",
        "--role-arn",
        "arn:aws:iam::333333333333:role/sb",
      ],
      { env },
    );
    const externalId = /sts:ExternalId (\S+)/.exec(role.stdout)?.[1];
    const trust = JSON.parse(
      (await runCli(["connection", "show", prod, "--trust-policy"], { env })).stdout,
    ) as { Statement: { Condition: unknown }[] };
    expect(trust.Statement[0]?.Condition).toEqual({
      StringEquals: { "sts:ExternalId": externalId },
    });
    expect((await runCli(["connection", "remove", prod], { env })).stdout).toBe(
      `removed connection ${prod}\n`,
    );
  });

  it("runs an action on one target and across connections, and prints a minimal policy", async () => {
    const ops = unique("ops");
    await addAccessKeyConnection(ops);
    const single = await runCli(
      ["action", "run", "aws.sts.getCallerIdentity", "--connection", ops, "--region", "us-east-1"],
      { env },
    );
    expect(single.stderr).toBe("");
    expect(JSON.parse(single.stdout)).toMatchObject({
      Account: "333333333333",
      Arn: "arn:aws:iam::333333333333:user/ops",
    });
    // --all is every connection the caller may execute: for this member, only this test's one.
    const fanOut = await runCli(
      ["action", "run", "aws.sts.getCallerIdentity", "--all", "--regions", "us-east-1,eu-west-1"],
      { env: await memberWhoMayExecute(ops) },
    );
    expect(fanOut.code).toBe(0);
    expect(fanOut.stdout).toMatch(new RegExp(`^succeeded ${ops} us-east-1 \\d+ms$`, "m"));
    expect(fanOut.stdout).toMatch(
      new RegExp(`^skipped {3}${ops} eu-west-1 0ms REGION_NOT_ALLOWED`, "m"),
    );
    expect(fanOut.stderr).toMatch(
      /^run [0-9a-f-]{36}: 2 targets: 1 succeeded, 0 failed, 0 refused, 1 skipped \(--json prints each output\)$/m,
    );
    // A fan-out the server refuses, and one to a server that is not there: one line each.
    const nothing = await runCli(
      ["action", "run", "aws.sts.getCallerIdentity", "--tag", "env=nowhere"],
      { env },
    );
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toBe(
      "error: no connection you may execute has tag env=nowhere [connections] (INVALID_REQUEST)\n",
    );
    const down = await runCli(["action", "run", "aws.sts.getCallerIdentity", "--all"], {
      env: { ...env, SWITCHBOARD_URL: "http://127.0.0.1:9" },
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:9: [^\n]+\n$/);
    const refused = await runCli(
      [
        "action",
        "run",
        "aws.call",
        "--connection",
        ops,
        "--region",
        "us-east-1",
        "--input",
        '{"service":"ec2","operation":"TerminateInstances","input":{"InstanceIds":["i-1"]}}',
      ],
      { env },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error: aws.call needs ec2:TerminateInstances \(access level Write\).*\(ACCESS_REFUSED\)$/m,
    );
    const policy = JSON.parse(
      (
        await runCli(
          [
            "policy",
            "minimal",
            "--action",
            "aws.logs.runSavedQuery",
            "--action",
            "ec2:DescribeVpcs",
          ],
          { env },
        )
      ).stdout,
    ) as { Statement: { Action: string[] }[] };
    expect(policy.Statement.flatMap((st) => st.Action).sort()).toEqual([
      "ec2:DescribeVpcs",
      "logs:DescribeQueryDefinitions",
      "logs:GetQueryResults",
      "logs:StartQuery",
    ]);
    const list = await runCli(["action", "list"], { env });
    expect(list.stdout).toMatch(/^aws\.s3\.listBuckets\s+List\s+s3:ListAllMyBuckets/m);
  });

  it("explains a failed test in one line and exits 1", async () => {
    // A secret of its own: the other tests' connections keep the right one.
    const name = unique("wrong-key");
    const secretPath = `keys/system/${name}`;
    await api("POST", "/secrets", {
      path: secretPath,
      value: "wrong-secret-000000000000000000000000000",
    });
    await addAccessKeyConnection(name, secretPath);
    const failed = await runCli(["connection", "test", name], { env });
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim().split("\n")).toHaveLength(1);
    expect(failed.stderr).toMatch(
      new RegExp(
        `^error: SignatureDoesNotMatch: the secret access key at ${secretPath} does not belong to access key id`,
      ),
    );
    expect(failed.stderr + failed.stdout).not.toContain(KEY.secret);
  });
});
