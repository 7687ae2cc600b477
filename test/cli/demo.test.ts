import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("npm run demo", () => {
  it("starts the emulator and a server with one working connection of each method, and stops on SIGTERM", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", LOG_LEVEL: "error" };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/demo.ts")], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`demo did not get ready:\n${output}`)),
        90_000,
      );
      const check = setInterval(() => {
        if (output.includes("demo ready")) {
          clearTimeout(timer);
          clearInterval(check);
          resolve();
        }
      }, 100);
      void exited.then(() => reject(new Error(`demo exited early:\n${output}`)));
    });
    for (const [name, method] of [
      ["management", "ambient"],
      ["management-keys", "access_key"],
      ["production", "assume_role"],
      ["production-web", "web_identity"],
      ["staging", "assume_role"],
    ]) {
      expect(output).toMatch(new RegExp(`^\\s+${name}\\s+${method}\\s+ok\\s+arn:aws:`, "m"));
    }
    const url = /running at (http:\/\/localhost:\d+)/.exec(output)?.[1];
    const token = /API token:\s+(sb_\S+)/.exec(output)?.[1];
    const signIn = /sign in:\s+admin \/ (\S+)/.exec(output)?.[1];
    expect(url).toBeDefined();
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: signIn }),
    });
    expect(login.status).toBe(200);
    const run = await fetch(`${url}/api/v1/actions/aws.ec2.describeInstances/run`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ connections: "*", regions: ["us-east-1"], input: {} }),
    });
    const result = (await run.json()) as { summary: { total: number; succeeded: number } };
    // Two connections reach the management account and two production: once per (account, region).
    expect(result.summary).toMatchObject({ total: 5, succeeded: 3, skipped: 2 });
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
