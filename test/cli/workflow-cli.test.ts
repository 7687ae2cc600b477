import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import {
  runCli,
  serverApi,
  spawnCli,
  startServerOnDatabase,
  type CliResult,
  type ServerProcess,
} from "../helpers/cli.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { DEMO_WORLD } from "../helpers/demo-setup.js";

// The demo world's management account: a read-only user Switchboard signs in as.
const KEY = { id: "AKIAMANAGEMENTSWITCH1", secret: "management-switchboard-secret-000000000" };
const ACCOUNT = "111111111111";

/** A name no other test uses, so each test makes and checks its own workflows and connections. */
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

describeEachDatabase("switchboard workflow and run commands", (suite) => {
  let home: string;
  let server: ServerProcess;
  let emulator: Emulator;
  let env: NodeJS.ProcessEnv;
  const secretPath = `keys/system/${unique("wf-cli-key")}`;

  const api = serverApi(() => server.url);

  beforeAll(async () => {
    emulator = await startEmulator({ world: DEMO_WORLD });
    home = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-wf-cli-"));
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
    await api("POST", "/secrets", { path: secretPath, type: "password", value: KEY.secret });
  });
  afterAll(async () => {
    await server.stop("SIGKILL");
    await emulator.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** A read connection of its own on the demo management account, in us-east-1, tested. */
  const addConnection = async (): Promise<string> => {
    const name = unique("mgmt");
    await api("POST", "/connections", {
      name,
      method: "access_key",
      accessKeyId: KEY.id,
      secretPath,
      endpoint: emulator.url,
      regions: ["us-east-1"],
    });
    // A tested connection knows its account, which targets and preflight then show.
    await api("POST", `/connections/${name}/test`);
    return name;
  };
  const writeFile = (name: string, text: string): string => {
    const file = path.join(fs.mkdtempSync(path.join(home, "wf-")), name);
    fs.writeFileSync(file, text);
    return file;
  };
  /** An AWS read action on the connection, then a transform of its result and an input. */
  const readAndCount = (name: string, connection: string) => `name: ${name}
inputs:
  label: { type: string, default: none }
steps:
  - id: instances
    action: aws.ec2.describeInstances
    connection: ${connection}
    region: us-east-1
  - id: count
    transform:
      label: \${{ inputs.label }}
      targets: \${{ $count(steps.instances.targets) }}
`;
  /** Waits for a person before a transform (the one who starts it may approve: one CLI user here). */
  const gated = (name: string, connection: string, allowSelfApproval = true) => `name: ${name}
steps:
  - id: gate
    approval:
      connection: ${connection}
      message: check the change window
      allowSelfApproval: ${allowSelfApproval}
  - id: done
    transform: \${{ "approved" }}
`;
  const apply = async (name: string, yaml: string): Promise<void> => {
    const result = await runCli(["workflow", "apply", "-f", writeFile(`${name}.yaml`, yaml)], {
      env,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  };
  const startRun = async (name: string, args: string[] = []): Promise<string> => {
    const result = await runCli(["--json", "workflow", "run", name, ...args], { env });
    expect(result.code, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as { id: string }).id;
  };
  const statusOf = async (id: string) =>
    (await api<{ status: string }>("GET", `/runs/${id}`)).status;
  const waitForStatus = async (id: string, status: string): Promise<void> => {
    const deadline = Date.now() + 60_000;
    let seen = await statusOf(id);
    while (seen !== status) {
      if (Date.now() > deadline) throw new Error(`run ${id} stayed ${seen}, expected ${status}`);
      await new Promise((r) => setTimeout(r, 200));
      seen = await statusOf(id);
    }
  };
  /** The CLI as a child whose output can be read while it runs (runCli gives it only at the end). */
  const startCli = async (args: string[]) => {
    const child = await spawnCli(args, { env, stdin: "ignore" });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<CliResult>((resolve) =>
      child.on("close", (code) => resolve({ code, stdout, stderr })),
    );
    return {
      done,
      waitForOutput: async (text: string) => {
        const deadline = Date.now() + 60_000;
        while (!stdout.includes(text)) {
          if (Date.now() > deadline || child.exitCode !== null) {
            throw new Error(`no "${text}" in the output:\n${stdout}\n${stderr}`);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      },
    };
  };

  it("applies a YAML workflow, follows its run to success and finds it in runs and run show", async () => {
    const connection = await addConnection();
    const name = unique("wf");
    const file = writeFile("wf.yaml", readAndCount(name, connection));
    const applied = await runCli(["workflow", "apply", "-f", file], { env });
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toBe(`workflow ${name} saved: version 1\n`);
    expect(applied.code).toBe(0);

    const followed = await runCli(["workflow", "run", name, "--input", "label=hello", "--follow"], {
      env,
    });
    expect(followed.stderr).toBe("");
    expect(followed.code).toBe(0);
    // Not a terminal: plain lines appended as steps change, no cursor moves.
    expect(followed.stdout).not.toContain("\x1b[");
    const lines = followed.stdout.trimEnd().split("\n");
    const id = /^run (\S+) \(/.exec(lines[0] ?? "")?.[1] ?? "";
    expect(lines[0]).toBe(`run ${id} (${name} v1)`);
    expect(followed.stdout).toMatch(/^instances\s+action\s+succeeded\s+1\/1 targets, 0 failed/m);
    expect(followed.stdout).toMatch(/^count\s+transform\s+succeeded/m);
    expect(lines.at(-1)).toMatch(new RegExp(`^run ${id} succeeded in \\S+$`));

    const detail = await api<{ steps: { id: string; output?: unknown }[] }>("GET", `/runs/${id}`);
    expect(detail.steps.find((s) => s.id === "count")?.output).toEqual({
      label: "hello",
      targets: 1,
    });

    const runs = await runCli(["runs", "--workflow", name], { env });
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(
      new RegExp(`^${id}\\s+workflow\\s+${name} v1\\s+succeeded\\s`, "m"),
    );
    const workflowRuns = await runCli(["runs", "--kind", "workflow", "--status", "succeeded"], {
      env,
    });
    expect(workflowRuns.stdout).toContain(id);

    const show = await runCli(["run", "show", id], { env });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`run ${id} (${name} v1): succeeded`);
    expect(show.stdout).toMatch(
      /^instances\s+aws\.ec2\.describeInstances\s+succeeded\s+1\s+\S+\s+\S+\s+1\/1: 1 ok$/m,
    );
    expect(show.stdout).toMatch(/^count\s+transform\s+succeeded\s+1\s/m);

    const targets = await runCli(["run", "show", id, "--targets"], { env });
    expect(targets.code).toBe(0);
    expect(targets.stdout).toContain("step instances: 1 targets");
    expect(targets.stdout).toMatch(
      new RegExp(`^0\\s+${connection}\\s+${ACCOUNT}\\s+us-east-1\\s+succeeded\\s+1\\s`, "m"),
    );
  });

  it("prints each definition error with its line and column, exits 1 and saves nothing", async () => {
    const name = unique("bad");
    const file = writeFile(
      "bad.yaml",
      `name: ${name}
steps:
  - id: first
    transform: \${{ 1 }}
  - id: second
    action: aws.ec2.describeInstances
    retries: 3
`,
    );
    const result = await runCli(["workflow", "apply", "-f", file], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`error: ${file}: the workflow definition is invalid`);
    expect(result.stderr).toMatch(
      /^ {2}line 7, column \d+: steps\[1\]\.retries: unknown key "retries"$/m,
    );
    const list = await runCli(["workflow", "list"], { env });
    expect(list.stdout).not.toContain(name);
  });

  it("lists, shows by version and deletes a workflow; a webhook's secret is printed once with a warning", async () => {
    const connection = await addConnection();
    const name = unique("hook");
    await apply(name, readAndCount(name, connection));
    const withHook = `${readAndCount(name, connection)}triggers:\n  - webhook: {}\n`;
    const second = await runCli(["workflow", "apply", "-f", writeFile("hook.yml", withHook)], {
      env,
    });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`workflow ${name} saved: version 2`);
    expect(second.stdout).toMatch(/^webhook secret: \S+$/m);
    expect(second.stderr).toContain("warning: the webhook secret is shown only this once");

    const list = await runCli(["workflow", "list"], { env });
    expect(list.stdout).toMatch(new RegExp(`^${name}\\s+-\\s+2\\s+2\\s+-\\s+-\\s+webhook$`, "m"));
    const show = await runCli(["workflow", "show", name], { env });
    expect(show.stdout).toContain(`workflow ${name} v2`);
    expect(show.stdout).toContain("webhook: {}");
    expect(show.stdout).not.toContain("webhook secret");
    const first = await runCli(["workflow", "show", name, "1"], { env });
    expect(first.stdout).toBe(readAndCount(name, connection));

    const deleted = await runCli(["workflow", "delete", name], { env });
    expect(deleted.stdout).toBe(`deleted workflow ${name}\n`);
    const gone = await runCli(["workflow", "show", name], { env });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: .+\(\w+\)\n$/);
  });

  it("previews a run: its targets and the IAM policy each connection needs", async () => {
    const connection = await addConnection();
    const name = unique("pre");
    await apply(name, readAndCount(name, connection));
    const result = await runCli(["workflow", "preflight", name, "--input", "label=x"], { env });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`preflight of ${name} v1`);
    expect(result.stdout).toContain("step instances (aws.ec2.describeInstances");
    expect(result.stdout).toMatch(
      new RegExp(`^ {2}runs\\s+${connection} ${ACCOUNT} us-east-1$`, "m"),
    );
    expect(result.stdout).toContain(`IAM policy the role of ${connection} needs:`);
    expect(result.stdout).toContain('"ec2:DescribeInstances"');
  });

  it("follows a run through a waiting approval until switchboard approve lets it finish", async () => {
    const connection = await addConnection();
    const name = unique("gate");
    await apply(name, gated(name, connection));
    const id = await startRun(name);
    await waitForStatus(id, "waiting");

    const follow = await startCli(["run", "show", id, "--follow"]);
    await follow.waitForOutput(`waiting for approval of step gate`);
    const approved = await runCli(["approve", id, "--step", "gate", "--reason", "window open"], {
      env,
    });
    expect(approved.stderr).toBe("");
    expect(approved.stdout).toBe(`approved step gate of run ${id}\n`);
    const followed = await follow.done;
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(
      new RegExp(
        `^waiting for approval of step gate by a holder of executor on ${connection} until \\S+: check the change window\n {2}switchboard approve ${id} --step gate `,
        "m",
      ),
    );
    expect(followed.stdout).toMatch(/^done\s+transform\s+succeeded/m);
    expect(followed.stdout.trimEnd().split("\n").at(-1)).toMatch(/ succeeded in \S+$/);
  });

  it("refuses in one line to approve one's own run unless the step allows it", async () => {
    const connection = await addConnection();
    const name = unique("self");
    await apply(name, gated(name, connection, false));
    const id = await startRun(name);
    await waitForStatus(id, "waiting");
    const own = await runCli(["approve", id, "--reason", "me"], { env });
    expect(own.code).toBe(1);
    expect(own.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(own.stderr).toContain("another person must decide this approval");
    const cancelled = await runCli(["run", "cancel", id], { env });
    expect(cancelled.code, cancelled.stderr).toBe(0);
  });

  it("declines a waiting approval with a reason; the run fails", async () => {
    const connection = await addConnection();
    const name = unique("nope");
    await apply(name, gated(name, connection));
    const id = await startRun(name);
    await waitForStatus(id, "waiting");
    const noReason = await runCli(["decline", id], { env });
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toContain("--reason");
    const declined = await runCli(["decline", id, "--reason", "not in this window"], { env });
    expect(declined.code).toBe(0);
    const followed = await runCli(["run", "show", id, "--follow"], { env });
    expect(followed.code).toBe(1);
    expect(followed.stdout.trimEnd().split("\n").at(-1)).toMatch(
      new RegExp(`^run ${id} failed in `),
    );
  });

  it("cancels a run: following it then ends with cancelled and exit code 1", async () => {
    const connection = await addConnection();
    const name = unique("stop");
    await apply(name, gated(name, connection));
    const id = await startRun(name);
    await waitForStatus(id, "waiting");
    const cancelled = await runCli(["run", "cancel", id], { env });
    expect(cancelled.stderr).toBe("");
    expect(cancelled.stdout).toBe(`cancelling run ${id}\n`);
    const followed = await runCli(["run", "show", id, "--follow"], { env });
    expect(followed.code).toBe(1);
    expect(followed.stdout.trimEnd().split("\n").at(-1)).toMatch(
      new RegExp(`^run ${id} cancelled in `),
    );
    const runs = await runCli(["runs", "--workflow", name, "--status", "cancelled"], { env });
    expect(runs.stdout).toContain(id);
  });

  it("follows a failed run to exit code 1 with the step's error, and redrives it", async () => {
    const name = unique("boom");
    await apply(
      name,
      `name: ${name}
steps:
  - id: fine
    transform: \${{ "ok" }}
  - id: broken
    transform: \${{ $error("boom") }}
`,
    );
    const followed = await runCli(["workflow", "run", name, "--follow"], { env });
    expect(followed.code).toBe(1);
    const lines = followed.stdout.trimEnd().split("\n");
    const id = /^run (\S+) \(/.exec(lines[0] ?? "")?.[1] ?? "";
    expect(followed.stdout).toMatch(/^fine\s+transform\s+succeeded/m);
    expect(followed.stdout).toMatch(/^broken\s+transform\s+failed/m);
    expect(followed.stdout).toMatch(/^step broken: \w+: .*boom/m);
    expect(lines.at(-1)).toMatch(new RegExp(`^run ${id} failed in `));

    const redriven = await runCli(["run", "redrive", id, "--follow"], { env });
    expect(redriven.code).toBe(1);
    expect(redriven.stdout.trimEnd().split("\n").at(-1)).toMatch(
      new RegExp(`^run ${id} failed in `),
    );
    const detail = await api<{ steps: { id: string; attempt: number }[] }>("GET", `/runs/${id}`);
    expect(detail.steps.map((s) => [s.id, s.attempt])).toEqual([
      ["fine", 1],
      ["broken", 2],
    ]);
  });

  it("refuses a malformed --input before anything is sent", async () => {
    const result = await runCli(["workflow", "run", unique("any"), "--input", "novalue"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("error: --input novalue: expected key=value\n");
  });
});
