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

describeEachDatabase("switchboard serve over a real socket", (suite) => {
  let server: ServerProcess;
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-home-"));
    server = await startServerOnDatabase(suite.testDatabase().config, {
      SWITCHBOARD_DATA_DIR: path.join(home, "data"),
    });
    env = { HOME: home, XDG_CONFIG_HOME: path.join(home, ".config") };
  });
  afterAll(async () => {
    await server.stop("SIGKILL");
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("lists admin for the bootstrap token, as the quick start shows", async () => {
    const response = await fetch(`${server.url}/api/v1/users`, {
      headers: { authorization: "Bearer sb_test" },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: { name: string; role: string }[] };
    expect(body.items).toEqual([expect.objectContaining({ name: "admin", role: "admin" })]);
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("serves health, readiness and Prometheus metrics by route", async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: "ok" });
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: "ok" });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(
      /switchboard_http_requests_total\{method="GET",route="\/api\/v1\/users",status="200"\} 1/,
    );
    expect(metrics).toContain("switchboard_http_request_duration_seconds_bucket");
  });

  it("saves a 0600 profile at login and drives the API from the CLI", async () => {
    const login = await runCli(["login", "--url", server.url, "--with-token"], {
      env,
      stdin: "sb_test\n",
    });
    expect(login.stderr).toBe("");
    expect(login.code).toBe(0);
    expect(login.stdout).toContain("signed in");
    const profile = path.join(home, ".config/switchboard/profile.json");
    expect(fs.statSync(profile).mode & 0o777).toBe(0o600);

    expect((await runCli(["whoami"], { env })).stdout).toMatch(/^admin \(admin\) in org default/);
    const add = await runCli(["users", "add", "bob", "--password-stdin"], {
      env,
      stdin: "bob-password-123\n",
    });
    expect(add.code).toBe(0);
    expect((await runCli(["teams", "create", "ops", "bob"], { env })).code).toBe(0);
    const table = await runCli(["users", "list"], { env });
    expect(table.stdout.split("\n")[0]).toMatch(
      /^NAME\s+ROLE\s+DISPLAY NAME\s+PASSWORD\s+CREATED$/,
    );
    expect(table.stdout).toMatch(/^bob\s+member\s+-\s+set\s+/m);
    const json = JSON.parse((await runCli(["teams", "list", "--json"], { env })).stdout) as {
      name: string;
      members: string[];
    }[];
    expect(json).toEqual([expect.objectContaining({ name: "ops", members: ["bob"] })]);

    // bob signs in with his password through the CLI, which mints a token for him.
    const bobEnv = { ...env, XDG_CONFIG_HOME: path.join(home, "bob-config") };
    const bob = await runCli(["login", "--url", server.url, "--username", "bob"], {
      env: bobEnv,
      stdin: "bob-password-123\n",
    });
    expect(bob.code).toBe(0);
    expect((await runCli(["whoami"], { env: bobEnv })).stdout).toMatch(/^bob \(member\)/);
    const tokens = JSON.parse(
      (await runCli(["tokens", "list", "--json"], { env: bobEnv })).stdout,
    ) as { name: string }[];
    expect(tokens.map((t) => t.name)).toEqual([`cli@${os.hostname()}`]);
  });

  it("fails with one readable line and exit code 1", async () => {
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
