import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  runCli,
  startServerOnDatabase,
  startServerProcess,
  type ServerProcess,
} from "../helpers/cli.js";
import { describeEachDatabase } from "../helpers/databases.js";

/** A name no other test uses, so each test makes and checks its own users and teams. */
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

describeEachDatabase("switchboard serve over a real socket", (suite) => {
  let server: ServerProcess;
  let home: string;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-home-"));
    server = await startServerOnDatabase(suite.testDatabase().config, {
      SWITCHBOARD_DATA_DIR: path.join(home, "data"),
    });
  });
  afterAll(async () => {
    await server.stop("SIGKILL");
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** A CLI environment with a config directory of its own: no test reads another's profile. */
  const freshEnv = (): NodeJS.ProcessEnv => ({
    HOME: home,
    XDG_CONFIG_HOME: fs.mkdtempSync(path.join(home, "config-")),
  });
  const usersRequestsServed = async (): Promise<number> => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const count =
      /^switchboard_http_requests_total\{method="GET",route="\/api\/v1\/users",status="200"\} (\d+)$/m.exec(
        metrics,
      )?.[1];
    return Number(count ?? 0);
  };

  it("lists admin for the bootstrap token, as the quick start shows", async () => {
    const response = await fetch(`${server.url}/api/v1/users`, {
      headers: { authorization: "Bearer sb_test" },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: { name: string; role: string }[] };
    expect(body.items).toContainEqual(expect.objectContaining({ name: "admin", role: "admin" }));
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("serves health, readiness and Prometheus metrics by route", async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: "ok" });
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: "ok" });
    const before = await usersRequestsServed();
    const users = await fetch(`${server.url}/api/v1/users`, {
      headers: { authorization: "Bearer sb_test" },
    });
    expect(users.status).toBe(200);
    await users.text();
    expect(await usersRequestsServed()).toBe(before + 1);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain("switchboard_http_request_duration_seconds_bucket");
  });

  it("saves a 0600 profile at login and drives the API from the CLI", async () => {
    const env = freshEnv();
    const bob = unique("bob");
    const team = unique("ops");
    const login = await runCli(["login", "--url", server.url, "--with-token"], {
      env,
      stdin: "sb_test\n",
    });
    expect(login.stderr).toBe("");
    expect(login.code).toBe(0);
    expect(login.stdout).toContain("signed in");
    const profile = path.join(env.XDG_CONFIG_HOME ?? "", "switchboard/profile.json");
    expect(fs.statSync(profile).mode & 0o777).toBe(0o600);

    expect((await runCli(["whoami"], { env })).stdout).toMatch(/^admin \(admin\) in org default/);
    const add = await runCli(["users", "add", bob, "--password-stdin"], {
      env,
      stdin: "bob-password-123\n",
    });
    expect(add.code).toBe(0);
    expect((await runCli(["teams", "create", team, bob], { env })).code).toBe(0);
    const table = await runCli(["users", "list"], { env });
    expect(table.stdout.split("\n")[0]).toMatch(
      /^NAME\s+ROLE\s+DISPLAY NAME\s+PASSWORD\s+CREATED$/,
    );
    expect(table.stdout).toMatch(new RegExp(`^${bob}\\s+member\\s+-\\s+set\\s+`, "m"));
    const json = JSON.parse((await runCli(["teams", "list", "--json"], { env })).stdout) as {
      name: string;
      members: string[];
    }[];
    expect(json).toContainEqual(expect.objectContaining({ name: team, members: [bob] }));

    // bob signs in with his password through the CLI, which mints a token for him.
    const bobEnv = freshEnv();
    const bobLogin = await runCli(["login", "--url", server.url, "--username", bob], {
      env: bobEnv,
      stdin: "bob-password-123\n",
    });
    expect(bobLogin.code).toBe(0);
    expect((await runCli(["whoami"], { env: bobEnv })).stdout).toMatch(
      new RegExp(`^${bob} \\(member\\)`),
    );
    const tokens = JSON.parse(
      (await runCli(["tokens", "list", "--json"], { env: bobEnv })).stdout,
    ) as { name: string }[];
    expect(tokens.map((t) => t.name)).toEqual([`cli@${os.hostname()}`]);
  });

  it("fails with one readable line and exit code 1", async () => {
    const env = { ...freshEnv(), SWITCHBOARD_URL: server.url, SWITCHBOARD_TOKEN: "sb_test" };
    const bad = await runCli(["users", "add", "Not Valid!"], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(
      /^error: body\.name: expected 1 to 63 lower-case letters.*\[name\] \(INVALID_REQUEST\)$/m,
    );
    const forbidden = await runCli(["users", "add", "eve"], {
      env: { ...env, SWITCHBOARD_TOKEN: "sb_nope" },
    });
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain("(INVALID_CREDENTIALS)");
    const down = await runCli(["whoami", "--url", "http://127.0.0.1:9"], { env });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:9/);
    expect(down.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("switchboard serve lifecycle", () => {
  it("refuses a bad setting at start with one line naming the variable", async () => {
    const result = await runCli(["serve"], { env: { PORT: "eighty" } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("error: invalid configuration: PORT: expected a port number");
  });

  it("prints a one-time setup link without a bootstrap token, and stops cleanly on SIGTERM", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-data-"));
    const server = await startServerProcess({ SWITCHBOARD_DATA_DIR: dataDir });
    try {
      expect(server.output()).toMatch(
        /set the admin password within 24 hours at http:\/\/localhost:0\/setup#token=sb_/,
      );
      expect(fs.existsSync(path.join(dataDir, "switchboard.db"))).toBe(true);
    } finally {
      expect(await server.stop("SIGTERM")).toBe(0);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
