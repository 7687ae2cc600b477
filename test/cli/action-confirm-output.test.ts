import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../emulator/index.js";
import { runCli, startServerProcess, type ServerProcess } from "../helpers/cli.js";
import { ACCOUNT_A, ACCOUNT_B, twoAccounts, type ApiCaller } from "../actions/two-accounts.js";

const STOP = (id: string) =>
  JSON.stringify({ service: "ec2", operation: "StopInstances", input: { InstanceIds: [id] } });

describe("switchboard action run: writes ask first, results as a table", () => {
  let home: string;
  let server: ServerProcess;
  let emulator: Emulator;
  let env: NodeJS.ProcessEnv;

  const api: ApiCaller = {
    async call(method, url, options = {}) {
      const response = await fetch(`${server.url}${url}`, {
        method,
        headers: {
          authorization: "Bearer sb_test",
          ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      return { statusCode: response.status, body: await response.text() };
    },
  };
  const runCount = async () =>
    (JSON.parse((await api.call("GET", "/api/v1/runs?limit=500")).body) as { items: unknown[] })
      .items.length;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-action-cli-"));
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
    emulator = await twoAccounts(api);
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await emulator?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("refuses a write without a terminal unless --yes, in one line, sending nothing", async () => {
    emulator.resetCounters();
    const runsBefore = await runCount();
    const refused = await runCli(
      [
        "action",
        "run",
        "aws.call",
        "--connections",
        "a-full,b-read",
        "--regions",
        "us-east-1",
        "--input",
        STOP("i-411101"),
      ],
      { env },
    );
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toBe(
      "error: aws.call can change something (ec2:StopInstances, access level Write) on 1 target: run it on a terminal to confirm, or pass --yes\n",
    );
    expect(emulator.counters().total).toBe(0);
    expect(await runCount()).toBe(runsBefore);

    const confirmed = await runCli(
      [
        "action",
        "run",
        "aws.call",
        "--connections",
        "a-full,b-read",
        "--regions",
        "us-east-1",
        "--input",
        STOP("i-411101"),
        "--yes",
      ],
      { env },
    );
    // b-read's access setting refuses it: the run has a refused target, so it exits 1.
    expect(confirmed.code).toBe(1);
    expect(confirmed.stdout).toMatch(/^succeeded a-full us-east-1 \d+ms 1 StoppingInstances$/m);
    expect(confirmed.stdout).toMatch(/^refused {3}b-read us-east-1 \d+ms ACCESS_REFUSED: /m);
    expect(emulator.counters().byOperation["ec2:StopInstances"]).toBe(1);
  });

  it("runs a read without asking, printing each target's item count and a summary", async () => {
    const result = await runCli(["action", "run", "aws.ec2.describeInstances", "--all"], { env });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines.filter((l) => l.startsWith("succeeded"))).toHaveLength(4);
    for (const line of lines.filter((l) => l.startsWith("succeeded")))
      expect(line).toMatch(/^succeeded [ab]-\w+ (us-east-1|eu-west-1) \d+ms 2 Instances$/);
    expect(lines.filter((l) => l.includes("SAME_ACCOUNT_REGION"))).toHaveLength(2);
    expect(result.stderr).toMatch(
      /^run [0-9a-f-]{36}: 6 targets: 4 succeeded, 0 failed, 0 refused, 2 skipped; 8 items in all \(--output table, csv or json prints them\)$/m,
    );
  });

  it("prints every target's items as one table with account, connection and region columns", async () => {
    const result = await runCli(
      [
        "action",
        "run",
        "aws.ec2.describeInstances",
        "--all",
        "--output",
        "table",
        "--columns",
        "InstanceId,State.Name",
      ],
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]?.split(/\s+/)).toEqual([
      "account",
      "connection",
      "region",
      "InstanceId",
      "State.Name",
    ]);
    expect(lines).toHaveLength(9);
    const rows = lines.slice(1).map((l) => l.split(/\s+/));
    expect(rows.filter((r) => r[0] === ACCOUNT_A)).toHaveLength(4);
    expect(rows.filter((r) => r[0] === ACCOUNT_B)).toHaveLength(4);
    expect(new Set(rows.map((r) => r[3])).size).toBe(8);
    // running, or stopped by the write of another test
    for (const row of rows) expect(row[4]).toMatch(/^(running|stopping|stopped)$/);
  });

  it("prints the same as CSV with every field", async () => {
    const result = await runCli(
      ["action", "run", "aws.ec2.describeInstances", "--all", "--output", "csv"],
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split("\r\n").filter((l) => l !== "");
    const header = lines[0]?.split(",") ?? [];
    expect(header.slice(0, 3)).toEqual(["account", "connection", "region"]);
    expect(header).toContain("InstanceId");
    expect(header).toContain("State.Name");
    expect(lines).toHaveLength(9);
    const id = header.indexOf("InstanceId");
    const region = header.indexOf("region");
    const row = lines.find((l) => l.split(",")[id] === "i-422211")?.split(",");
    expect(row?.slice(0, 3)).toEqual([ACCOUNT_B, "b-read", "eu-west-1"]);
    expect(row?.[region]).toBe("eu-west-1");
  });

  it("names the closest action in its one-line error", async () => {
    const result = await runCli(
      [
        "action",
        "run",
        "aws.ec2.describeInstanse",
        "--connection",
        "a-read",
        "--region",
        "us-east-1",
      ],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: no action aws.ec2.describeInstanse: did you mean aws.ec2.describeInstances? [action] (ACTION_NOT_FOUND)\n",
    );
  });

  it("shows a plan", async () => {
    const result = await runCli(
      ["action", "plan", "aws.call", "--all", "--regions", "us-east-1", "--input", STOP("i-1")],
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      "aws.call: ec2:StopInstances (access level Write), which can change something",
    );
    expect(result.stdout).toMatch(/^ {2}runs {4}a-full .* us-east-1$/m);
    expect(result.stdout).toMatch(/^ {2}skipped a-read .* SAME_ACCOUNT_REGION: /m);
    expect(result.stdout).toMatch(/^3 targets: 1 would run, 1 refused, 1 skipped$/m);
  });
});
