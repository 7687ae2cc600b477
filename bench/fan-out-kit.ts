// The fan-out world the benchmarks share: a hub and N member accounts in the emulator, one role
// per member trusting the connections' ExternalIds, and the hand-written SDK script that is the
// baseline of every fan-out figure (AssumeRole once per account, an EC2Client per region, 64
// calls in flight, 8 per account + region + service, as Switchboard's defaults).
import { Agent, request } from "node:http";
import { EC2Client, paginateDescribeInstances, type Reservation } from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity } from "@smithy/types";
import { DEFAULT_REGIONS, type WorldInput } from "../emulator/index.js";
import { hubAccount, trustingHost } from "../test/helpers/worlds.js";
import type { EmulatorProcess } from "./processes.js";

export const HUB = "100000000000";
export const REGIONS = [...DEFAULT_REGIONS];
export const LATENCY_MS = 20;
// Switchboard's runner defaults: overall, and per (account, region, service).
export const OVERALL_CONCURRENCY = 64;
export const PER_BUCKET_CONCURRENCY = 8;
// The session policy a `read` connection attaches; the hand-written script asks for the same, so
// the emulator does the same work for both.
export const READ_ONLY_POLICY = "arn:aws:iam::aws:policy/ReadOnlyAccess";
export const accountId = (i: number) => String(100000000000 + i);
export const roleArn = (i: number) => `arn:aws:iam::${accountId(i)}:role/switchboard-read`;

/** `externalIds(i)`: the ExternalIds of the connections to account i, which its role trusts. */
export function world(accounts: number, externalIds: (account: number) => string[]): WorldInput {
  const members = Array.from({ length: accounts }, (_, k) => {
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

export type ApiResponse = { status: number; body: string };
export type ApiClient = {
  /** A body is sent as JSON, or as it is when a content type is given (e.g. application/yaml). */
  call: (
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ) => Promise<ApiResponse>;
  post: (path: string, body: unknown) => Promise<ApiResponse>;
  close: () => void;
};

/** The API over a real socket, kept alive, as a script or the web app would call it. */
export function apiClient(baseUrl: string, token: string): ApiClient {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const call = (method: string, path: string, body?: unknown, contentType?: string) =>
    new Promise<ApiResponse>((resolve, reject) => {
      const payload =
        body === undefined
          ? undefined
          : contentType !== undefined && typeof body === "string"
            ? body
            : JSON.stringify(body);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent,
          headers: {
            authorization: `Bearer ${token}`,
            ...(payload === undefined
              ? {}
              : {
                  "content-type": contentType ?? "application/json",
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

/** A run as `GET /api/v1/runs/ID` shows it: what the benches read of it. */
export interface RunView {
  status: string;
  durationMs: number | null;
  summary: { total: number; succeeded: number } | null;
}

/** Polls GET /api/v1/runs/ID every `pollMs`, as a client following a run would, until it has finished. */
export async function waitForRun(api: ApiClient, id: string, pollMs: number): Promise<RunView> {
  for (;;) {
    const response = await api.call("GET", `/api/v1/runs/${id}`);
    if (response.status !== 200) throw new Error(`run ${id}: ${response.status} ${response.body}`);
    const run = JSON.parse(response.body) as RunView;
    if (["succeeded", "failed", "partial", "cancelled"].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

export const ms = (n: number) => `${n.toFixed(2)} ms`;
export const s = (n: number) => `${(n / 1000).toFixed(2)} s`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const verdict = (met: boolean) => (met ? "goal met" : "goal NOT met");

/** At most `limit` tasks at once. */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
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

export interface HandWritten {
  /** Shared keep-alive sockets, as a careful script would set up. */
  requestHandler: NodeHttpHandler;
  sts: STSClient;
  /** The ExternalId of the fan-out's connection to an account: the script uses the same. */
  externalIdOf: (account: number) => string;
  endpoint: string;
}

/** AssumeRole with the session policy a connection of `access` attaches. */
export async function assumeRole(
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

export async function describeAll(ec2: EC2Client): Promise<Reservation[]> {
  const reservations: Reservation[] = [];
  for await (const page of paginateDescribeInstances({ client: ec2 }, {}))
    reservations.push(...(page.Reservations ?? []));
  return reservations;
}

/**
 * The script a careful user writes by hand: AssumeRole once per account (cached), an EC2Client
 * per region, 64 calls in flight overall and at most 8 per (account, region, service). Over
 * `accounts` accounts from member-`first` on.
 */
export async function handWrittenFanOut(
  h: HandWritten,
  accounts: number,
  access: "read" | "full",
  first = 1,
): Promise<{ ok: number; failed: number }> {
  const overall = limiter(OVERALL_CONCURRENCY);
  const perBucket = new Map<string, <T>(task: () => Promise<T>) => Promise<T>>();
  const credentials = new Map<number, Promise<AwsCredentialIdentity>>();
  // A session name of this run, as Switchboard's names carry the run: the emulator caches its
  // policy decisions per session, so reusing a name across runs would make later runs cheaper.
  const runTag = Date.now().toString(36);
  const credentialsOf = (account: number) => {
    let cached = credentials.get(account);
    if (cached === undefined) {
      cached = assumeRole(h, account, `script-${runTag}-${account}`, access);
      credentials.set(account, cached);
    }
    return cached;
  };
  let ok = 0;
  let failed = 0;
  const targets = Array.from({ length: accounts }, (_, k) => k + first).flatMap((account) =>
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
export async function measured<T>(work: () => Promise<T>): Promise<{
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

/** The assume_role connections member-1…member-N, each with the ExternalId its draft was issued. */
export async function createConnections(
  api: ApiClient,
  emulator: Pick<EmulatorProcess, "url">,
  externalIds: Map<string, string>,
  options: {
    accounts: number;
    access: "read" | "full";
    tags?: (account: number) => Record<string, string>;
  },
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= options.accounts; i++) {
    const created = await api.post("/api/v1/connections", {
      name: `member-${i}`,
      method: "assume_role",
      access: options.access,
      roleArn: roleArn(i),
      externalId: externalIds.get(`member-${i}`),
      endpoint: emulator.url,
      regions: REGIONS,
      ...(options.tags === undefined ? {} : { tags: options.tags(i) }),
    });
    if (created.status !== 201)
      throw new Error(`creating connection member-${i}: ${created.status} ${created.body}`);
    ids.push((JSON.parse(created.body) as { id: string }).id);
  }
  return ids;
}

/** Drafts each connection's setup document, which issues its ExternalId: name → ExternalId. */
export async function draftExternalIds(
  api: ApiClient,
  connections: (readonly [name: string, account: number])[],
): Promise<Map<string, string>> {
  const externalIds = new Map<string, string>();
  for (const [name, account] of connections) {
    const draft = await api.post("/api/v1/connections/setup-documents", {
      name,
      method: "assume_role",
      roleArn: roleArn(account),
    });
    if (draft.status !== 200) throw new Error(`drafting ${name}: ${draft.status} ${draft.body}`);
    externalIds.set(name, (JSON.parse(draft.body) as { externalId: string }).externalId);
  }
  return externalIds;
}
