import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startServerProcess, type ServerProcess } from "../helpers/cli.js";

const VALUE = "cli-secret-value-9f8e7d6c";

describe("key store and OIDC from the CLI", () => {
  let home: string;
  let dataDir: string;
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-cli-"));
    dataDir = path.join(home, "data");
    server = await startServerProcess({
      SWITCHBOARD_DATA_DIR: dataDir,
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

  it("sets a secret from stdin, lists its metadata and removes it, never printing the value", async () => {
    const set = await runCli(["secret", "set", "keys/system/aws/prod"], {
      env,
      stdin: `${VALUE}\n`,
    });
    expect(set.stderr).toBe("");
    expect(set.stdout).toBe("stored keys/system/aws/prod (password); no http step may send it\n");
    const again = await runCli(["secret", "set", "keys/system/aws/prod"], {
      env,
      stdin: "other-value\n",
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /^error: a secret exists at keys\/system\/aws\/prod; send "replace": true/,
    );
    const replaced = await runCli(
      [
        "secret",
        "set",
        "keys/system/aws/prod",
        "--replace",
        "--allow-host",
        "api.example.com",
        "--allow-host",
        "*.example.org:8443",
      ],
      { env, stdin: `${VALUE}\n` },
    );
    expect(replaced.stdout).toBe(
      "stored keys/system/aws/prod (password); http steps may send it to api.example.com, *.example.org:8443\n",
    );
    const badHost = await runCli(
      ["secret", "set", "keys/system/aws/other", "--allow-host", "https://api.example.com"],
      { env, stdin: `${VALUE}\n` },
    );
    expect(badHost.code).toBe(1);
    expect(badHost.stderr).toMatch(/^error: .*allowedHosts.*not a URL/);
    const list = await runCli(["secret", "list", "--prefix", "keys/system/"], { env });
    expect(list.stdout).toMatch(/^keys\/system\/aws\/prod\s+password\s+/m);
    expect(list.stdout).toContain("api.example.com,*.example.org:8443");
    const rm = await runCli(["secret", "rm", "keys/system/aws/prod"], { env });
    expect(rm.stdout).toBe("deleted keys/system/aws/prod\n");
    for (const output of [set, again, replaced, badHost, list, rm])
      expect(output.stdout + output.stderr).not.toContain(VALUE);
    expect(server.output()).not.toContain(VALUE);
  });

  it("shows the issuer, rotates its key and publishes the two documents as static files", async () => {
    const show = await runCli(["oidc", "show"], { env });
    expect(show.stdout).toContain("audience:  default/app-id/switchboard.aws.connector");
    // Other tests rotate the key too, and a retired key stays published for a while.
    const served = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const before = served.keys.map((k) => k.kid);
    expect((await runCli(["oidc", "rotate"], { env })).stdout).toMatch(
      /^new signing key \S+ is current/,
    );
    const out = path.join(home, "site");
    const publish = await runCli(["oidc", "publish", "--out", out], { env });
    expect(publish.code).toBe(0);
    const discovery = JSON.parse(
      fs.readFileSync(path.join(out, ".well-known/openid-configuration"), "utf8"),
    ) as { jwks_uri: string };
    const jwks = JSON.parse(fs.readFileSync(path.join(out, ".well-known/jwks.json"), "utf8")) as {
      keys: { kid: string }[];
    };
    expect(discovery.jwks_uri).toMatch(/\/\.well-known\/jwks\.json$/);
    // The new key and every key published before the rotation, the one it retired among them.
    expect(jwks.keys).toHaveLength(before.length + 1);
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining(before));
  });

  it("rotates the master key locally and the server reads its secrets after a restart", async () => {
    await runCli(["secret", "set", "keys/system/kept"], { env, stdin: `${VALUE}\n` });
    await server.stop("SIGTERM");
    const rotate = await runCli(["keys", "rotate-master"], {
      env: { SWITCHBOARD_DATA_DIR: dataDir },
    });
    expect(rotate.stderr).toBe("");
    expect(rotate.stdout).toMatch(/^re-wrapped \d+ data keys; master key is now [0-9a-f]{16}/);
    server = await startServerProcess({
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_BOOTSTRAP_TOKEN: "sb_test",
    });
    env.SWITCHBOARD_URL = server.url;
    // The OIDC signing key is a key-store secret: the server can still sign with it.
    expect((await runCli(["oidc", "rotate"], { env })).code).toBe(0);
  });

  it("refuses to start with a wrong master key, in one line", async () => {
    const result = await runCli(["serve"], {
      env: {
        SWITCHBOARD_DATA_DIR: dataDir,
        PORT: "0",
        SWITCHBOARD_MASTER_KEY: Buffer.alloc(32, 7).toString("base64"),
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^error: the master key from SWITCHBOARD_MASTER_KEY \(id [0-9a-f]{16}\) is not the one/,
    );
  });

  it("refuses an http public URL outside development", async () => {
    const result = await runCli(["serve"], {
      env: { SWITCHBOARD_PUBLIC_URL: "http://sb.example.com" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^error: invalid configuration: SWITCHBOARD_PUBLIC_URL: expected an https:\/\/ URL/,
    );
  });
});
