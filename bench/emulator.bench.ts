import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CREDENTIALS = {
  accessKeyId: "AKIAMANAGEMENTADMIN1",
  secretAccessKey: "management-admin-secret-0000000000000000",
};
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const CONCURRENCY = 32;

/** The emulator in its own process, so that it has one core to itself and the load another. */
async function startEmulatorProcess(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "emulator/cli.ts"),
      "--port",
      "0",
      "--world",
      join(ROOT, "emulator/worlds/demo.yaml"),
    ],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`emulator exited with ${String(code)}`)));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const match = /http:\/\/\S+/.exec(chunk);
      if (match !== null) resolve(match[0]);
    });
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

async function signedDescribeInstances(
  url: URL,
): Promise<{ headers: Record<string, string>; body: string }> {
  const body = "Action=DescribeInstances&Version=2016-11-15";
  const signer = new SignatureV4({
    credentials: CREDENTIALS,
    region: "us-east-1",
    service: "ec2",
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: "/",
      headers: {
        host: url.host,
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      },
      body,
    }),
  );
  return { headers: signed.headers, body };
}

// A bare node:http server answering a body of the same size: the ceiling any Node emulator on this
// machine could reach, printed beside the emulator's figure so the two can be compared.
const BARE_SERVER = `
const { createServer } = require("node:http");
const body = "<x/>".repeat(600);
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.url === "/_emulator/calls") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ total: server.calls, processCpuMicros: process.cpuUsage() }));
      return;
    }
    server.calls++;
    res.writeHead(200, { "content-type": "text/xml", "x-amzn-requestid": crypto.randomUUID() });
    res.end(body);
  });
});
server.calls = 0;
server.listen(0, "127.0.0.1", () => console.log("http://127.0.0.1:" + server.address().port));
`;

async function startBareServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ["-e", BARE_SERVER], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`server exited with ${String(code)}`)));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const match = /http:\/\/\S+/.exec(chunk);
      if (match !== null) resolve(match[0]);
    });
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

/** Replays a signed request; the emulator still verifies its signature and authorizes it each time. */
async function rawThroughput(url: URL): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const signed = await signedDescribeInstances(url);
  let completed = 0;
  let failed = 0;
  const deadline = performance.now() + DURATION_MS;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: "POST",
          path: "/",
          headers: signed.headers,
          agent,
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (res.statusCode === 200) completed++;
            else failed++;
            resolve();
          });
        },
      );
      req.on("error", reject);
      req.end(signed.body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) await one();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  if (failed > 0) throw new Error(`${failed} requests failed`);
  return completed / seconds;
}

/** The same call through the AWS SDK, which signs each request anew (client-bound figure). */
async function sdkThroughput(url: URL): Promise<number> {
  const ec2 = new EC2Client({
    endpoint: url.origin,
    region: "us-east-1",
    credentials: CREDENTIALS,
  });
  let completed = 0;
  const deadline = performance.now() + DURATION_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await ec2.send(new DescribeInstancesCommand({}));
        completed++;
      }
    }),
  );
  ec2.destroy();
  return completed / ((performance.now() - started) / 1000);
}

type Calls = {
  total: number;
  policyEvaluations: { evaluations: number; cacheHits: number };
  processCpuMicros: { user: number; system: number };
};

async function calls(url: string): Promise<Calls> {
  return (await (await fetch(`${url}/_emulator/calls`)).json()) as Calls;
}

/** Calls answered per second of the server process's own CPU time during one load run. */
async function perCoreRate(url: string): Promise<{ perCore: number; wall: number }> {
  const before = await calls(url);
  const wall = await rawThroughput(new URL(url));
  const after = await calls(url);
  const cpu = (c: Calls) => c.processCpuMicros.user + c.processCpuMicros.system;
  return { perCore: (after.total - before.total) / ((cpu(after) - cpu(before)) / 1e6), wall };
}

export async function run(): Promise<void> {
  const emulator = await startEmulatorProcess();
  try {
    const url = new URL(emulator.url);
    await rawThroughput(url); // warm-up: JIT, signer and policy caches
    const { perCore, wall } = await perCoreRate(emulator.url);
    const sdk = await sdkThroughput(url);
    const final = await calls(emulator.url);
    process.stdout.write(
      `emulator: ${Math.round(perCore)} signed DescribeInstances/s per core of emulator CPU (signature verified, policy evaluated from cache; goal 5000)\n` +
        `emulator: ${Math.round(wall)} signed DescribeInstances/s wall-clock, load generator on the same machine (${CONCURRENCY} in flight, keep-alive)\n` +
        `emulator: ${Math.round(sdk)} DescribeInstances/s through one AWS SDK v3 EC2Client (client-bound)\n` +
        `emulator: ${final.policyEvaluations.evaluations} policy evaluations, ${final.policyEvaluations.cacheHits} cache hits\n`,
    );
  } finally {
    emulator.stop();
  }
  const bare = await startBareServer();
  try {
    await rawThroughput(new URL(bare.url));
    const { perCore } = await perCoreRate(bare.url);
    process.stdout.write(
      `baseline: ${Math.round(perCore)} requests/s per core for a bare node:http server on this machine\n`,
    );
  } finally {
    bare.stop();
  }
}
