import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCli, startServerProcess } from "../helpers/cli.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const PASSWORD = "correct-horse-battery";
const PROXY = "10.0.0.1";
/** More failures than one address may have in a window (30). */
const CLIENTS = 36;

describeEachDatabase("sign-in behind a reverse proxy", (suite) => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((t) => t.close()));
  });

  async function setUp(user: string, trustProxy?: string[]) {
    const t = await createTestApp(
      suite.handle().db,
      trustProxy === undefined ? {} : { appDeps: { trustProxy } },
    );
    apps.push(t);
    expect(
      (await t.call("POST", "/api/v1/users", { body: { name: user, password: PASSWORD } }))
        .statusCode,
    ).toBe(201);
    const signIn = (username: string, password: string, from: string, forwardedFor: string) =>
      t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        remoteAddress: from,
        headers: { "x-forwarded-for": forwardedFor },
        payload: { username, password },
      });
    const sourcesOf = async (actor: string) =>
      (await t.call("GET", `/api/v1/audit?action=auth.login&actor=${actor}`))
        .json<{ items: { sourceIp: string | null }[] }>()
        .items.map((e) => e.sourceIp);
    return { signIn, sourcesOf };
  }

  it("gives each client behind a trusted proxy its own address, so one client's failures lock out no one else, and ignores the header from anyone else", async () => {
    const { signIn, sourcesOf } = await setUp("ana", ["10.0.0.0/24"]);
    const failures = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        signIn(`stranger-${i}`, "guess", PROXY, `198.51.100.${i + 1}`),
      ),
    );
    expect(failures.map((r) => r.statusCode)).toEqual(Array(CLIENTS).fill(401));
    const ok = await signIn("ana", PASSWORD, PROXY, "203.0.113.7");
    expect(ok.statusCode).toBe(200);
    expect(await sourcesOf("user:ana")).toEqual(["203.0.113.7"]);
    expect(await sourcesOf("user:stranger-4")).toEqual(["198.51.100.5"]);

    // A client that is not a trusted proxy cannot choose its address with the header.
    const direct = await signIn("bo", "guess", "192.0.2.44", "203.0.113.9");
    expect(direct.statusCode).toBe(401);
    expect(await sourcesOf("user:bo")).toEqual(["192.0.2.44"]);
  });

  it("ignores X-Forwarded-For without SWITCHBOARD_TRUST_PROXY, so every client behind the proxy shares its address", async () => {
    const { signIn, sourcesOf } = await setUp("cy");
    const proxy = "10.0.1.1";
    const failures = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        signIn(`nobody-${i}`, "guess", proxy, `198.51.100.${i + 1}`),
      ),
    );
    const statuses = failures.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(CLIENTS - 30);
    expect((await signIn("cy", PASSWORD, proxy, "203.0.113.8")).statusCode).toBe(429);
    expect(await sourcesOf("user:cy")).toEqual([proxy]);
  });
});

describe("SWITCHBOARD_TRUST_PROXY", () => {
  it("is off unless set, and takes addresses, CIDRs and proxy-addr's names separated by commas", () => {
    expect(loadConfig({}).trustProxy).toEqual([]);
    expect(
      loadConfig({ SWITCHBOARD_TRUST_PROXY: "10.0.0.0/8, 192.0.2.10,fd00::/8 ,loopback" })
        .trustProxy,
    ).toEqual(["10.0.0.0/8", "192.0.2.10", "fd00::/8", "loopback"]);
  });

  it.each(["true", "*", "10.0.0.0/33", "proxy.example.com", "10.0.0.1/8/8", "::1/129"])(
    "refuses %s, naming the variable",
    (value) => {
      expect(() => loadConfig({ SWITCHBOARD_TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ SWITCHBOARD_TRUST_PROXY: value })).toThrow(
        /^invalid configuration: SWITCHBOARD_TRUST_PROXY: .* is not an address, a CIDR/,
      );
    },
  );

  it.each(["0.0.0.0/0", "::/0", "::ffff:0.0.0.0/96", "0.0.0.0/4", "::ffff:0:0/80"])(
    "refuses %s, a range so wide it trusts every client",
    (value) => {
      expect(() => loadConfig({ SWITCHBOARD_TRUST_PROXY: value })).toThrow(
        /^invalid configuration: SWITCHBOARD_TRUST_PROXY: .* is so wide it takes in clients/,
      );
    },
  );

  it("stops the server at start when the value is bad", async () => {
    const result = await runCli(["serve"], { env: { SWITCHBOARD_TRUST_PROXY: "everyone" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: invalid configuration: SWITCHBOARD_TRUST_PROXY: /);
  });

  it("gives a real server's sign-in limits each client's address when the proxy is trusted", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-proxy-"));
    const server = await startServerProcess({
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_BOOTSTRAP_TOKEN: "sb_test",
      SWITCHBOARD_TRUST_PROXY: "127.0.0.1",
    });
    try {
      const signIn = (username: string, client: string) =>
        fetch(`${server.url}/api/v1/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": client },
          body: JSON.stringify({ username, password: "not-the-password" }),
        });
      const statuses = await Promise.all(
        Array.from({ length: CLIENTS }, async (_, i) => {
          const response = await signIn(`guest-${i}`, `198.51.100.${i + 1}`);
          await response.body?.cancel();
          return response.status;
        }),
      );
      expect(statuses).toEqual(Array(CLIENTS).fill(401));
      const audit = await fetch(`${server.url}/api/v1/audit?action=auth.login&actor=user:guest-7`, {
        headers: { authorization: "Bearer sb_test" },
      });
      const items = ((await audit.json()) as { items: { sourceIp: string }[] }).items;
      expect(items.map((e) => e.sourceIp)).toEqual(["198.51.100.8"]);
    } finally {
      await server.stop("SIGKILL");
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
