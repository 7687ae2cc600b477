import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { EC2Client, paginateDescribeInstances, type Reservation } from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity } from "@smithy/types";
import { DEFAULT_REGIONS, type WorldInput } from "../emulator/index.js";
import { useEmulatorAsInstance } from "../test/helpers/demo-setup.js";
import { hubAccount, trustingHost } from "../test/helpers/worlds.js";
import type { ServerMeasure } from "./server-process.js";
import {
  spawnEmulator,
  spawnServer,
  type EmulatorProcess,
  type ServerProcess,
} from "./processes.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const ADMIN_TOKEN = "sb_admin_bench_token";
const HUB = "100000000000";
const ACCOUNTS = 200;
const REGIONS = [...DEFAULT_REGIONS];
const LATENCY_MS = 20;
const SINGLE_WARMUP = 200;
const SINGLE_CALLS = Number(process.env.BENCH_SINGLE_CALLS ?? 800);
const FAN_OUT_ROUNDS = Number(process.env.BENCH_FAN_OUT_ROUNDS ?? 5);
// For quicker iterations: BENCH_PARTS=single or BENCH_PARTS=fanout (the per-process CLI figures
// come with the fan-out, "cli" in the list).
const PARTS = new Set((process.env.BENCH_PARTS ?? "single,fanout,cli").split(","));
const CLI_RUNS = 5;
// Each takes seconds (tsx compiles the CLI at start); three are enough for a per-call figure.
const SWITCHBOARD_CLI_RUNS = 3;
// Switchboard's runner defaults (src/actions/run-action.ts): overall, and per (account, region, service).
const OVERALL_CONCURRENCY = 64;
const PER_BUCKET_CONCURRENCY = 8;
// The session policy a `read` connection attaches; the hand-written script asks for the same, so
// the emulator does the same work for both.
const READ_ONLY_POLICY = "arn:aws:iam::aws:policy/ReadOnlyAccess";
// The emulator evaluates a session's policies once per (session, region) with iam-simulate, which
// re-parses the policy documents on every evaluation: ReadOnlyAccess costs ~10 ms of CPU each time,
// in this process. A fan-out makes a fresh session per account per run, so with `read`
// connections 3400 evaluations dominate both sides and the bench measures the emulator. The
// fan-out therefore runs on `full` connections (no session policy) whose roles carry a small
// policy; BENCH_FAN_OUT_ACCESS=read runs it the other way. The single call uses a `read` connection.
const FAN_OUT_ACCESS = process.env.BENCH_FAN_OUT_ACCESS === "read" ? "read" : "full";

const SINGLE_CONNECTION = "single-read";
const accountId = (i: number) => String(100000000000 + i);
const roleArn = (i: number) => `arn:aws:iam::${accountId(i)}:role/switchboard-read`;

/** `externalIds(i)`: the ExternalIds of the connections to account i, which its role trusts. */
function world(externalIds: (account: number) => string[]): WorldInput {
  const members = Array.from({ length: ACCOUNTS }, (_, k) => {
    const id = accountId(k + 1);
    const trust = trustingHost(HUB, "");
    return {
      id,
      name: `member-${k + 1}`,
      roles: [
        {
          name: "switchboard-read",
          trust: {
            ...trust,
            Statement: trust.Statement.map((statement) => ({
              ...statement,
              Condition: { StringEquals: { "sts:ExternalId": externalIds(k + 1) } },
            })),
          },
          policies: [
            {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "ec2:Describe*", Resource: "*" }],
            },
          ],
        },
      ],
      resources: Object.fromEntries(
        REGIONS.map((region) => [
          region,
          {
            ec2: {
              Instances: [
                {
                  InstanceId: `i-${id}${region.replaceAll("-", "")}`,
                  InstanceType: "t3.micro",
                  State: { Code: 16, Name: "running" },
                },
              ],
            },
          },
        ]),
      ),
    };
  });
  return {
    regions: REGIONS,
    accounts: [hubAccount(HUB), ...members],
  };
}

type ApiResponse = { status: number; body: string };
type ApiClient = {
  call: (method: string, path: string, body?: unknown) => Promise<ApiResponse>;
  post: (path: string, body: unknown) => Promise<ApiResponse>;
  close: () => void;
};

/** The API over a real socket, kept alive, as a script or the web app would call it. */
function apiClient(baseUrl: string): ApiClient {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const call = (method: string, path: string, body?: unknown) =>
    new Promise<ApiResponse>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent,
          headers: {
            authorization: `Bearer ${ADMIN_TOKEN}`,
            ...(payload === undefined
              ? {}
              : {
                  "content-type": "application/json",
                  "content-length": Buffer.byteLength(payload),
                }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  return {
    call,
    post: (path, body) => call("POST", path, body),
    close: () => agent.destroy(),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

const ms = (n: number) => `${n.toFixed(2)} ms`;
const s = (n: number) => `${(n / 1000).toFixed(2)} s`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const verdict = (met: boolean) => (met ? "goal met" : "goal NOT met");

/** At most `limit` tasks at once. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    while (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

interface HandWritten {
  /** Shared keep-alive sockets, as a careful script would set up. */
  requestHandler: NodeHttpHandler;
  sts: STSClient;
  /** The ExternalId of the fan-out's connection to an account: the script uses the same. */
  externalIdOf: (account: number) => string;
  endpoint: string;
}

/** AssumeRole with the session policy a connection of `access` attaches. */
async function assumeRole(
  h: HandWritten,
  account: number,
  sessionName: string,
  access: "read" | "full",
): Promise<AwsCredentialIdentity> {
  const { Credentials: c } = await h.sts.send(
    new AssumeRoleCommand({
      RoleArn: roleArn(account),
      RoleSessionName: sessionName,
      ExternalId: h.externalIdOf(account),
      ...(access === "read" ? { PolicyArns: [{ arn: READ_ONLY_POLICY }] } : {}),
    }),
  );
  if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined)
    throw new Error(`AssumeRole into ${accountId(account)} returned no credentials`);
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    ...(c.SessionToken === undefined ? {} : { sessionToken: c.SessionToken }),
    ...(c.Expiration === undefined ? {} : { expiration: c.Expiration }),
  };
}

async function describeAll(ec2: EC2Client): Promise<Reservation[]> {
  const reservations: Reservation[] = [];
  for await (const page of paginateDescribeInstances({ client: ec2 }, {}))
    reservations.push(...(page.Reservations ?? []));
  return reservations;
}

/**
 * The script a careful user writes by hand: AssumeRole once per account (cached), an EC2Client
 * per region, 64 calls in flight overall and at most 8 per (account, region, service).
 */
async function handWrittenFanOut(h: HandWritten): Promise<{ ok: number; failed: number }> {
  const overall = limiter(OVERALL_CONCURRENCY);
  const perBucket = new Map<string, <T>(task: () => Promise<T>) => Promise<T>>();
  const credentials = new Map<number, Promise<AwsCredentialIdentity>>();
  // A session name of this run, as Switchboard's names carry the run: the emulator caches its
  // policy decisions per session, so reusing a name across runs would make later runs cheaper.
  const runTag = Date.now().toString(36);
  const credentialsOf = (account: number) => {
    let cached = credentials.get(account);
    if (cached === undefined) {
      cached = assumeRole(h, account, `script-${runTag}-${account}`, FAN_OUT_ACCESS);
      credentials.set(account, cached);
    }
    return cached;
  };
  let ok = 0;
  let failed = 0;
  const targets = Array.from({ length: ACCOUNTS }, (_, k) => k + 1).flatMap((account) =>
    REGIONS.map((region) => ({ account, region })),
  );
  await Promise.all(
    targets.map(async ({ account, region }) => {
      const key = `${account}/${region}/ec2`;
      let bucket = perBucket.get(key);
      if (bucket === undefined) {
        bucket = limiter(PER_BUCKET_CONCURRENCY);
        perBucket.set(key, bucket);
      }
      const limit = bucket;
      try {
        await overall(() =>
          limit(async () => {
            const ec2 = new EC2Client({
              region,
              endpoint: h.endpoint,
              credentials: () => credentialsOf(account),
              requestHandler: h.requestHandler,
              retryMode: "standard",
              maxAttempts: 3,
            });
            await describeAll(ec2);
          }),
        );
        ok += 1;
      } catch {
        failed += 1;
      }
    }),
  );
  return { ok, failed };
}

/**
 * Runs `work` and measures it: wall time, this process's CPU time and event-loop utilisation, and
 * the peak of process.memoryUsage() sampled every 50 ms.
 */
async function measured<T>(work: () => Promise<T>): Promise<{
  value: T;
  wallMs: number;
  cpuMs: number;
  loopBusy: number;
  peakRss: number;
  peakHeap: number;
}> {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, 50);
  const cpu0 = process.cpuUsage();
  const loop0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  try {
    const value = await work();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const loopBusy = performance.eventLoopUtilization(loop0).utilization;
    sample();
    return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, loopBusy, peakRss, peakHeap };
  } finally {
    clearInterval(timer);
  }
}

const execFileAsync = promisify(execFile);

/** Median wall time of a fresh process per call, `runs` times in a row. */
async function perProcessMs(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  runs: number,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await execFileAsync(command, args, { env, cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function hasAwsCli(): Promise<boolean> {
  try {
    await execFileAsync("aws", ["--version"]);
    return true;
  } catch {
    return false;
  }
}

type FanOutBody = {
  summary: { total: number; succeeded: number; failed: number; refused: number; skipped: number };
};

async function createConnections(
  api: ApiClient,
  emulator: EmulatorProcess,
  externalIds: Map<string, string>,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= ACCOUNTS; i++) {
    const created = await api.post("/api/v1/connections", {
      name: `member-${i}`,
      method: "assume_role",
      access: FAN_OUT_ACCESS,
      roleArn: roleArn(i),
      externalId: externalIds.get(`member-${i}`),
      endpoint: emulator.url,
      regions: REGIONS,
    });
    if (created.status !== 201)
      throw new Error(`creating connection member-${i}: ${created.status} ${created.body}`);
    ids.push((JSON.parse(created.body) as { id: string }).id);
  }
  return ids;
}

/** 1. One action through the API versus the same call with the SDK, interleaved call by call. */
async function singleCall(api: ApiClient, h: HandWritten, server: ServerProcess): Promise<void> {
  const ec2 = new EC2Client({
    region: "us-east-1",
    endpoint: h.endpoint,
    credentials: await assumeRole(h, 1, "direct-sdk", "read"),
    requestHandler: h.requestHandler,
  });
  const viaApi = async () => {
    const response = await api.post("/api/v1/actions/aws.ec2.describeInstances/run", {
      connection: SINGLE_CONNECTION,
      region: "us-east-1",
      input: {},
    });
    if (response.status !== 200) throw new Error(`API run: ${response.status} ${response.body}`);
  };
  const direct = () => describeAll(ec2);
  // The floor of any API call: socket, fastify, token check, logging, a few database reads.
  const whoami = async () => {
    const response = await api.call("GET", "/api/v1/whoami");
    if (response.status !== 200) throw new Error(`whoami: ${response.status} ${response.body}`);
  };
  for (let i = 0; i < SINGLE_WARMUP; i++) {
    await viaApi();
    await direct();
    await whoami();
  }
  const apiTimes: number[] = [];
  const sdkTimes: number[] = [];
  const whoamiTimes: number[] = [];
  await server.measureStart();
  for (let i = 0; i < SINGLE_CALLS; i++) {
    let t0 = performance.now();
    await viaApi();
    apiTimes.push(performance.now() - t0);
    t0 = performance.now();
    await direct();
    sdkTimes.push(performance.now() - t0);
  }
  const serverCpu = await server.measureStop();
  for (let i = 0; i < SINGLE_CALLS; i++) {
    const t0 = performance.now();
    await whoami();
    whoamiTimes.push(performance.now() - t0);
  }
  whoamiTimes.sort((a, b) => a - b);
  if (process.env.BENCH_DEBUG !== undefined) process.stdout.write(`${JSON.stringify(serverCpu)}\n`);
  apiTimes.sort((a, b) => a - b);
  sdkTimes.sort((a, b) => a - b);
  const added = percentile(apiTimes, 50) - percentile(sdkTimes, 50);
  process.stdout.write(
    `single call, aws.ec2.describeInstances on a read connection, no emulated latency, ${SINGLE_CALLS} calls each after ${SINGLE_WARMUP} warm-up, interleaved:\n` +
      `  via API (POST /api/v1/actions/…/run from this process to the server process, real socket, SQLite): median ${ms(percentile(apiTimes, 50))}, p99 ${ms(percentile(apiTimes, 99))}\n` +
      `  direct SDK (EC2Client.send from this process to the emulator, same role):                        median ${ms(percentile(sdkTimes, 50))}, p99 ${ms(percentile(sdkTimes, 99))}\n` +
      `  added by the API at the median: ${ms(added)} (goal ≤ 2 ms: ${verdict(added <= 2)}); at p99: ${ms(percentile(apiTimes, 99) - percentile(sdkTimes, 99))}\n` +
      `  in the server (request in to response out, median): ${ms(serverCpu.requestMedianMs)}; server CPU per API call (all threads): ${ms(serverCpu.cpuMs / SINGLE_CALLS)}\n` +
      `  for scale, an API call with no AWS call (GET /api/v1/whoami: socket, routing, token check, request log, 3 database reads): median ${ms(percentile(whoamiTimes, 50))}\n`,
  );
}

const cpuSeconds = (c: { user: number; system: number }) => (c.user + c.system) / 1e6;

export async function run(): Promise<void> {
  const server = await spawnServer(ADMIN_TOKEN);
  const api = apiClient(server.url);
  const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-world-"));
  let emulator: EmulatorProcess | undefined;
  let restoreEnv = () => {};
  const requestHandler = new NodeHttpHandler({
    httpAgent: new Agent({ keepAlive: true, maxSockets: OVERALL_CONCURRENCY }),
  });
  let sts: STSClient | undefined;
  try {
    // Every assume_role connection has its own ExternalId: draft them first, so the world's roles
    // trust them as roles set up from the drafts' setup documents would.
    const externalIds = new Map<string, string>();
    for (const [name, account] of [
      [SINGLE_CONNECTION, 1] as const,
      ...Array.from({ length: ACCOUNTS }, (_, k) => [`member-${k + 1}`, k + 1] as const),
    ]) {
      const draft = await api.post("/api/v1/connections/setup-documents", {
        name,
        method: "assume_role",
        roleArn: roleArn(account),
      });
      if (draft.status !== 200) throw new Error(`drafting ${name}: ${draft.status} ${draft.body}`);
      externalIds.set(name, (JSON.parse(draft.body) as { externalId: string }).externalId);
    }
    const externalIdOf = (account: number) => externalIds.get(`member-${account}`) ?? "";
    const worldFile = join(dir, "world.json");
    writeFileSync(
      worldFile,
      JSON.stringify(
        world((account) => [
          externalIdOf(account),
          ...(account === 1 ? [externalIds.get(SINGLE_CONNECTION) ?? ""] : []),
        ]),
      ),
    );
    emulator = await spawnEmulator(worldFile);
    await server.useEmulator(emulator.url);
    restoreEnv = useEmulatorAsInstance(emulator.url);
    sts = new STSClient({
      region: REGIONS[0] ?? "us-east-1",
      endpoint: emulator.url,
      credentials: fromNodeProviderChain(),
      requestHandler,
    });
    const h: HandWritten = { requestHandler, sts, externalIdOf, endpoint: emulator.url };
    const outbound = await api.call("PUT", "/api/v1/settings/outbound", {
      allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`],
    });
    if (outbound.status >= 300) throw new Error(`outbound: ${outbound.body}`);
    const setupStarted = performance.now();
    const connectionIds = await createConnections(api, emulator, externalIds);
    process.stdout.write(
      `setup: load average ${loadavg()[0]?.toFixed(1)} on this ${availableParallelism()}-core machine before the bench (other processes share it; wall times move with it); three processes: the Switchboard server (bench/server-process.ts: the parts of \`switchboard serve\`, SQLite file, logs at info to /dev/null), the emulator (emulator/cli.ts), and this one (the load, the hand-written script, the direct SDK calls); ${ACCOUNTS} assume_role connections created through the API in ${s(performance.now() - setupStarted)}\n`,
    );

    const single = await api.post("/api/v1/connections", {
      name: SINGLE_CONNECTION,
      method: "assume_role",
      access: "read",
      roleArn: roleArn(1),
      externalId: externalIds.get(SINGLE_CONNECTION),
      endpoint: emulator.url,
      regions: REGIONS,
    });
    if (single.status !== 201) throw new Error(`single connection: ${single.body}`);
    if (PARTS.has("single")) await singleCall(api, h, server);
    // Out of the way of the fan-out's connections "*".
    const deleted = await api.call("DELETE", `/api/v1/connections/${SINGLE_CONNECTION}`);
    if (deleted.status !== 204) throw new Error(`deleting ${SINGLE_CONNECTION}: ${deleted.body}`);

    if (!PARTS.has("fanout")) return;
    // 2. The fan-out, side by side: each round runs the hand-written script, then Switchboard
    // with its credential cache emptied, so both pay for 200 AssumeRoles every round.
    await emulator.setKnobs({ latencyMs: LATENCY_MS });
    const emu = emulator;
    const targets = ACCOUNTS * REGIONS.length;
    const fanOutViaApi = async () => {
      await server.forgetCredentials(connectionIds);
      await emu.resetCounters();
      const response = await api.post("/api/v1/actions/aws.ec2.describeInstances/run", {
        connections: "*",
        regions: "*",
        input: {},
      });
      if (response.status !== 200) throw new Error(`fan-out: ${response.status} ${response.body}`);
      const body = JSON.parse(response.body) as FanOutBody;
      return {
        summary: body.summary,
        assumeRoles: (await emu.counters()).byOperation["sts:AssumeRole"] ?? 0,
        responseBytes: Buffer.byteLength(response.body),
      };
    };
    const emulatorCpu = async () => cpuSeconds((await emu.counters()).processCpuMicros);
    // Warm-up, reported as the cold run: JIT, policy caches, sockets, and Switchboard's SDK clients
    // (a server keeps them across runs; the script, like any script process, builds them each run).
    let t0 = performance.now();
    await handWrittenFanOut(h);
    const coldScriptMs = performance.now() - t0;
    t0 = performance.now();
    await fanOutViaApi();
    const coldSwitchboardMs = performance.now() - t0;

    const switchboardMs: number[] = [];
    const scriptMs: number[] = [];
    const switchboardCpu: { cpuMs: number; loopBusy: number; emulatorMs: number }[] = [];
    const scriptCpu: { cpuMs: number; loopBusy: number; emulatorMs: number }[] = [];
    const assumeRoleCounts: number[] = [];
    const serverMeasures: ServerMeasure[] = [];
    let scriptPeakRss = 0;
    let lastSummary: FanOutBody["summary"] | undefined;
    let responseBytes = 0;
    for (let round = 0; round < FAN_OUT_ROUNDS; round++) {
      let emu0 = await emulatorCpu();
      const script = await measured(() => handWrittenFanOut(h));
      scriptMs.push(script.wallMs);
      scriptCpu.push({ ...script, emulatorMs: ((await emulatorCpu()) - emu0) * 1000 });
      scriptPeakRss = Math.max(scriptPeakRss, script.peakRss);
      if (script.value.failed > 0) throw new Error(`${script.value.failed} script calls failed`);
      emu0 = await emulatorCpu();
      await server.measureStart();
      t0 = performance.now();
      const viaApi = await fanOutViaApi();
      switchboardMs.push(performance.now() - t0);
      const m = await server.measureStop();
      serverMeasures.push(m);
      if (process.env.BENCH_DEBUG !== undefined) process.stdout.write(`${JSON.stringify(m)}\n`);
      switchboardCpu.push({ ...m, emulatorMs: ((await emulatorCpu()) - emu0) * 1000 });
      assumeRoleCounts.push(viaApi.assumeRoles);
      lastSummary = viaApi.summary;
      responseBytes = viaApi.responseBytes;
    }
    const switchboard = median(switchboardMs);
    const script = median(scriptMs);
    const ratio = switchboard / script;
    const cpuOf = (runs: { cpuMs: number; loopBusy: number; emulatorMs: number }[]) =>
      `CPU ${s(median(runs.map((r) => r.cpuMs)))}, event loop busy ${(median(runs.map((r) => r.loopBusy)) * 100).toFixed(0)}% (emulator CPU ${s(median(runs.map((r) => r.emulatorMs)))})`;
    const assumed = await assumeRole(h, 1, "cli-user", "read");
    const cliEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: assumed.accessKeyId,
      AWS_SECRET_ACCESS_KEY: assumed.secretAccessKey,
      AWS_SESSION_TOKEN: assumed.sessionToken,
      AWS_CONFIG_FILE: "/nonexistent/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      AWS_EC2_METADATA_DISABLED: "true",
    };
    const cli = PARTS.has("cli");
    const awsCli =
      cli && (await hasAwsCli())
        ? await perProcessMs(
            "aws",
            [
              "ec2",
              "describe-instances",
              "--endpoint-url",
              emu.url,
              "--region",
              "us-east-1",
              "--output",
              "json",
            ],
            cliEnv,
            CLI_RUNS,
          )
        : undefined;
    const switchboardCli = !cli
      ? Number.NaN
      : await perProcessMs(
          process.execPath,
          [
            "--import",
            "tsx",
            join(ROOT, "src/cli/main.ts"),
            "action",
            "run",
            "aws.ec2.describeInstances",
            "--connection",
            "member-1",
            "--region",
            "us-east-1",
            "--url",
            server.url,
            "--token",
            ADMIN_TOKEN,
          ],
          { PATH: process.env.PATH, HOME: "/nonexistent" },
          SWITCHBOARD_CLI_RUNS,
        );
    const perTarget = switchboard / targets;
    const perProcess = awsCli ?? switchboardCli;
    const speedUp = perProcess / perTarget;
    const assumeRolesOk = assumeRoleCounts.every((n) => n === ACCOUNTS);
    process.stdout.write(
      `fan-out, aws.ec2.describeInstances, ${ACCOUNTS} accounts × ${REGIONS.length} regions = ${targets} targets on ${FAN_OUT_ACCESS} connections, ${LATENCY_MS} ms emulated latency per call, median of ${FAN_OUT_ROUNDS} rounds after a warm-up:\n` +
        `  Switchboard via API (connections "*", regions "*"): ${s(switchboard)} wall (rounds: ${switchboardMs.map(s).join(", ")}), ${lastSummary?.succeeded ?? 0}/${lastSummary?.total ?? 0} succeeded, response ${mb(responseBytes)}; ${cpuOf(switchboardCpu)}\n` +
        `  hand-written SDK script (AssumeRole once per account, EC2Client per region, ${OVERALL_CONCURRENCY} overall / ${PER_BUCKET_CONCURRENCY} per account+region+service): ${s(script)} wall (rounds: ${scriptMs.map(s).join(", ")}); ${cpuOf(scriptCpu)}\n` +
        `  ratio Switchboard / hand-written: ${ratio.toFixed(2)}× (goal ≤ 1.15×: ${verdict(ratio <= 1.15)}); CPU ratio ${(median(switchboardCpu.map((r) => r.cpuMs)) / median(scriptCpu.map((r) => r.cpuMs))).toFixed(2)}×\n` +
        `  each round, both sides start without credentials (Switchboard's cache is emptied: 200 AssumeRoles each); Switchboard keeps its SDK clients and sockets from the warm-up, as a running server does, while the script builds its clients every run; the cold first run (JIT, clients, sockets): Switchboard ${s(coldSwitchboardMs)}, script ${s(coldScriptMs)} (${(coldSwitchboardMs / coldScriptMs).toFixed(2)}×)\n` +
        `  latency floor: ${targets} calls / ${OVERALL_CONCURRENCY} in flight × ${LATENCY_MS} ms = ${s((targets / OVERALL_CONCURRENCY) * LATENCY_MS)}\n` +
        (awsCli === undefined
          ? ""
          : `  per-call process, aws ec2 describe-instances (AWS CLI, env credentials, median of ${CLI_RUNS}): ${ms(awsCli)} per target → ${s(awsCli * targets)} for ${targets} targets in a loop\n`) +
        `  per-call process, switchboard action run --connection --region (tsx, median of ${SWITCHBOARD_CLI_RUNS}): ${ms(switchboardCli)} per target → ${s(switchboardCli * targets)} for ${targets} targets in a loop\n` +
        `  Switchboard per target: ${ms(perTarget)} → ${speedUp.toFixed(0)}× faster than one ${awsCli === undefined ? "switchboard" : "AWS CLI"} process per call (goal ≥ 50×: ${verdict(speedUp >= 50)})\n` +
        `  AssumeRole calls per Switchboard fan-out: ${assumeRoleCounts.join(", ")} (goal exactly ${ACCOUNTS}: ${verdict(assumeRolesOk)})\n` +
        `memory of the server process during the Switchboard fan-out: peak RSS ${mb(Math.max(...serverMeasures.map((m) => m.peakRss)))}, peak heap used ${mb(Math.max(...serverMeasures.map((m) => m.peakHeap)))} (at the start of the rounds, after a GC: RSS ${mb(serverMeasures[0]?.baselineRss ?? 0)}, heap ${mb(serverMeasures[0]?.baselineHeap ?? 0)}); peak RSS of this process during the hand-written script ${mb(scriptPeakRss)}\n` +
        `load average after the fan-out: ${loadavg()[0]?.toFixed(1)}\n`,
    );
  } finally {
    api.close();
    sts?.destroy();
    requestHandler.destroy();
    restoreEnv();
    await emulator?.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
