// AWS Organizations onboarding (issue #17), side by side with a hand-written AWS SDK v3 script:
//   org-onboard  an organization of 1,000 member accounts in 3 OUs, 20 ms per AWS request:
//                Switchboard's onboarding through its API (POST …/onboarding creates the 1,000
//                member connections; POST …/sync runs the reconcile on the engine, which tests
//                each one and writes its health ledger), against a script that assumes each
//                member role once and makes the connection test's calls, with the reconcile's
//                concurrency (goal ≤ 1.2× its wall time).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { AccountClient, paginateListRegions } from "@aws-sdk/client-account";
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStackSetOperationCommand,
} from "@aws-sdk/client-cloudformation";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity } from "@smithy/types";
import {
  memberAccountId,
  ORGANIZATION_ADMIN_KEY,
  organizationWorld,
} from "../emulator/worlds/organization-world.js";
import { useEmulatorAsInstance } from "../test/helpers/demo-setup.js";
import { hubAccount } from "../test/helpers/worlds.js";
import {
  apiClient,
  HUB,
  LATENCY_MS,
  mb,
  measured,
  median,
  READ_ONLY_POLICY,
  s,
  verdict,
  type ApiClient,
} from "./fan-out-kit.js";
import { spawnEmulator, spawnServer, type EmulatorProcess } from "./processes.js";

const PART = "org-onboard";
const PARTS = new Set((process.env.BENCH_PARTS ?? PART).split(","));
const ADMIN_TOKEN = "sb_admin_bench_token";
const ACCOUNTS = Number(process.env.BENCH_ORG_ACCOUNTS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ORG_ROUNDS ?? 3);
const UNITS = ["Production", "Staging", "Sandbox"];
const REGIONS = ["us-east-1", "eu-west-1"];
/** The reconcile's member tests in flight (TEST_CONCURRENCY in reconcile-organization.ts). */
const TEST_CONCURRENCY = 16;
// A reconcile of 1,000 accounts runs for seconds: a poll every 100 ms measures it to 1% without
// the server spending its time answering the poll.
const POLL_MS = 100;
const GOAL = 1.2;
// No scheduled reconcile fires during a round: the bench asks for the one it times.
const SCHEDULE = "0 0 1 1 *";

const x = (n: number) => `${n.toFixed(2)}×`;
const emulatorCpuMs = async (emulator: EmulatorProcess) => {
  const { user, system } = (await emulator.counters()).processCpuMicros;
  return (user + system) / 1000;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

async function expectStatus(
  api: ApiClient,
  method: string,
  path: string,
  body: unknown,
  status: number,
): Promise<unknown> {
  const response = await api.call(method, path, body);
  if (response.status !== status)
    throw new Error(`${method} ${path}: ${response.status} ${response.body}`);
  return response.body === "" ? undefined : JSON.parse(response.body);
}

interface SyncView {
  status: string;
  startedAt: string;
  changes: { reachable: number; unreachable: number } | null;
}

/** Polls GET /api/v1/organizations (the light list) until the reconcile asked at `after` ended. */
async function waitForSync(api: ApiClient, name: string, after: string): Promise<SyncView> {
  for (;;) {
    const list = (await expectStatus(api, "GET", "/api/v1/organizations", undefined, 200)) as {
      items: { name: string; lastSync: SyncView | null }[];
    };
    const sync = list.items.find((o) => o.name === name)?.lastSync;
    if (sync != null && sync.status !== "running" && sync.startedAt >= after) return sync;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * The script a careful user writes: with the host's own credentials, for each member account
 * AssumeRole once (the onboarding's ExternalId, the session policy of a `read` connection), then
 * what a connection test asks (sts:GetCallerIdentity, account:ListRegions), 16 accounts at once.
 */
async function handWrittenOnboarding(
  sts: STSClient,
  endpoint: string,
  requestHandler: NodeHttpHandler,
  roleName: string,
  externalId: string,
): Promise<{ ok: number; failed: number }> {
  const runTag = Date.now().toString(36);
  let next = 0;
  let ok = 0;
  let failed = 0;
  const one = async (account: string) => {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/${roleName}`,
        RoleSessionName: `script-${runTag}-${account}`,
        ExternalId: externalId,
        PolicyArns: [{ arn: READ_ONLY_POLICY }],
      }),
    );
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined)
      throw new Error(`AssumeRole into ${account} returned no credentials`);
    const credentials: AwsCredentialIdentity = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken === undefined ? {} : { sessionToken: c.SessionToken }),
    };
    const config = { region: REGIONS[0] ?? "us-east-1", endpoint, credentials, requestHandler };
    const identity = await new STSClient(config).send(new GetCallerIdentityCommand({}));
    if (identity.Account !== account) throw new Error(`${account} answered ${identity.Account}`);
    for await (const page of paginateListRegions(
      { client: new AccountClient(config) },
      { RegionOptStatusContains: ["ENABLED", "ENABLED_BY_DEFAULT"] },
    ))
      if ((page.Regions ?? []).length === 0) throw new Error(`${account}: no regions`);
  };
  await Promise.all(
    Array.from({ length: TEST_CONCURRENCY }, async () => {
      while (next < ACCOUNTS) {
        const account = memberAccountId({}, next);
        next += 1;
        try {
          await one(account);
          ok += 1;
        } catch {
          failed += 1;
        }
      }
    }),
  );
  return { ok, failed };
}

/** The member role by a service-managed StackSet, from the management account (not timed). */
async function deployMemberRole(
  cfn: CloudFormationClient,
  stackSetName: string,
  templateBody: string,
  ous: string[],
): Promise<void> {
  await cfn.send(
    new CreateStackSetCommand({
      StackSetName: stackSetName,
      TemplateBody: templateBody,
      PermissionModel: "SERVICE_MANAGED",
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ["CAPABILITY_NAMED_IAM"],
    }),
  );
  const { OperationId } = await cfn.send(
    new CreateStackInstancesCommand({
      StackSetName: stackSetName,
      DeploymentTargets: { OrganizationalUnitIds: ous },
      Regions: [REGIONS[0] ?? "us-east-1"],
      OperationPreferences: { FailureTolerancePercentage: 100, MaxConcurrentPercentage: 100 },
    }),
  );
  for (;;) {
    const { StackSetOperation: op } = await cfn.send(
      new DescribeStackSetOperationCommand({ StackSetName: stackSetName, OperationId }),
    );
    if (op?.Status === "SUCCEEDED") return;
    if (op?.Status !== "RUNNING" && op?.Status !== "QUEUED")
      throw new Error(`the StackSet operation ended ${op?.Status ?? "?"}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Round {
  onboardMs: number;
  reconcileMs: number;
  wallMs: number;
  serverCpuMs: number;
  peakRss: number;
  assumeRoles: number;
  requests: number;
  emulatorCpuMs: number;
}

/**
 * One round on a fresh server: set up the organization (not timed), time the onboarding, deploy
 * the member role by StackSet (not timed), time the reconcile that tests every connection.
 */
async function switchboardRound(
  emulator: EmulatorProcess,
  round: number,
  cfn: CloudFormationClient,
): Promise<{ round: Round; roleName: string; externalId: string }> {
  const server = await spawnServer(ADMIN_TOKEN);
  const api = apiClient(server.url, ADMIN_TOKEN);
  try {
    await emulator.setKnobs({ latencyMs: 0 });
    await server.useEmulator(emulator.url);
    await expectStatus(
      api,
      "PUT",
      "/api/v1/settings/outbound",
      { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
      200,
    );
    await expectStatus(
      api,
      "POST",
      "/api/v1/secrets",
      { path: "keys/system/org-admin", value: ORGANIZATION_ADMIN_KEY.secretAccessKey },
      201,
    );
    await expectStatus(
      api,
      "POST",
      "/api/v1/connections",
      {
        name: "mgmt",
        method: "access_key",
        accessKeyId: ORGANIZATION_ADMIN_KEY.accessKeyId,
        secretPath: "keys/system/org-admin",
        access: "full",
        regions: [REGIONS[0]],
        endpoint: emulator.url,
      },
      201,
    );
    await expectStatus(
      api,
      "POST",
      "/api/v1/connections",
      { name: "hub", method: "ambient", regions: [REGIONS[0]], endpoint: emulator.url },
      201,
    );
    for (const name of ["mgmt", "hub"]) {
      const tested = (await expectStatus(
        api,
        "POST",
        `/api/v1/connections/${name}/test`,
        {},
        200,
      )) as { ok: boolean };
      if (!tested.ok) throw new Error(`connection ${name} failed its test`);
    }
    const created = (await expectStatus(
      api,
      "POST",
      "/api/v1/organizations",
      { name: "acme", connection: "mgmt", grants: [{ principal: "org", role: "viewer" }] },
      201,
    )) as { ous?: { id: string; parentId: string | null }[] };
    const tree = (
      created.ous === undefined
        ? await expectStatus(api, "GET", "/api/v1/organizations/acme", undefined, 200)
        : created
    ) as { ous: { id: string; parentId: string | null }[] };
    const ous = tree.ous.filter((ou) => ou.parentId !== null).map((ou) => ou.id);
    // A role of its own per round: each onboarding issues its own ExternalId.
    const roleName = `switchboard-member-${round}`;

    await emulator.setKnobs({ latencyMs: LATENCY_MS });
    await emulator.resetCounters();
    const emulatorCpu0 = await emulatorCpuMs(emulator);
    await server.measureStart();
    const t0 = performance.now();
    const onboarded = (await expectStatus(
      api,
      "POST",
      "/api/v1/organizations/acme/onboarding",
      {
        ous,
        regions: REGIONS,
        method: "assume_role",
        hubConnection: "hub",
        roleName,
        reconcileSchedule: SCHEDULE,
      },
      201,
    )) as { created: unknown[] };
    const onboardMs = performance.now() - t0;
    const first = await server.measureStop();
    const firstCount = await emulator.counters();
    const emulatorCpu1 = await emulatorCpuMs(emulator);
    if (onboarded.created.length !== ACCOUNTS)
      throw new Error(`onboarding created ${onboarded.created.length} of ${ACCOUNTS} connections`);

    await emulator.setKnobs({ latencyMs: 0 });
    const template = (await expectStatus(
      api,
      "GET",
      "/api/v1/organizations/acme/template",
      undefined,
      200,
    )) as { body: string };
    const externalId = /"sts:ExternalId":\s*"([^"]+)"/.exec(template.body)?.[1];
    if (externalId === undefined) throw new Error("the template names no ExternalId");
    await deployMemberRole(cfn, `switchboard-bench-${round}`, template.body, ous);

    await emulator.setKnobs({ latencyMs: LATENCY_MS });
    await emulator.resetCounters();
    const emulatorCpu2 = await emulatorCpuMs(emulator);
    await server.measureStart();
    const t1 = performance.now();
    const asked = (await expectStatus(api, "POST", "/api/v1/organizations/acme/sync", {}, 202)) as {
      queued: boolean;
      requestedAt: string;
    };
    if (!asked.queued) throw new Error("a reconcile was already queued");
    const sync = await waitForSync(api, "acme", asked.requestedAt);
    const reconcileMs = performance.now() - t1;
    const second = await server.measureStop();
    const secondCount = await emulator.counters();
    const emulatorCpu3 = await emulatorCpuMs(emulator);
    if (process.env.BENCH_DEBUG !== undefined)
      process.stdout.write(
        `Switchboard requests: onboarding ${JSON.stringify(firstCount.byOperation)}, reconcile ${JSON.stringify(secondCount.byOperation)}\n`,
      );
    if (sync.status !== "succeeded" || sync.changes?.reachable !== ACCOUNTS)
      throw new Error(`the reconcile ended ${sync.status}: ${JSON.stringify(sync.changes)}`);
    return {
      roleName,
      externalId,
      round: {
        onboardMs,
        reconcileMs,
        wallMs: onboardMs + reconcileMs,
        serverCpuMs: first.cpuMs + second.cpuMs,
        peakRss: Math.max(first.peakRss, second.peakRss),
        assumeRoles:
          (firstCount.byOperation["sts:AssumeRole"] ?? 0) +
          (secondCount.byOperation["sts:AssumeRole"] ?? 0),
        requests: firstCount.total + secondCount.total,
        emulatorCpuMs: emulatorCpu1 - emulatorCpu0 + (emulatorCpu3 - emulatorCpu2),
      },
    };
  } finally {
    api.close();
    await server.close();
  }
}

export async function run(): Promise<void> {
  if (!PARTS.has(PART)) return;
  const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-org-"));
  process.stdout.write(
    `parts: ${PART}; load average ${load()} on this ${availableParallelism()}-core machine before the bench (wall times move with it)\n`,
  );
  const worldFile = join(dir, "organization.json");
  writeFileSync(
    worldFile,
    JSON.stringify(
      organizationWorld({
        accounts: ACCOUNTS,
        units: UNITS,
        regions: REGIONS,
        trustedAccess: true,
        otherAccounts: [hubAccount(HUB)],
      }),
    ),
  );
  const emulator = await spawnEmulator(worldFile);
  const restore = useEmulatorAsInstance(emulator.url);
  const requestHandler = new NodeHttpHandler({
    httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }),
  });
  const region = REGIONS[0] ?? "us-east-1";
  const sts = new STSClient({
    region,
    endpoint: emulator.url,
    credentials: fromNodeProviderChain(),
    requestHandler,
  });
  const cfn = new CloudFormationClient({
    region,
    endpoint: emulator.url,
    credentials: {
      accessKeyId: ORGANIZATION_ADMIN_KEY.accessKeyId,
      secretAccessKey: ORGANIZATION_ADMIN_KEY.secretAccessKey,
    },
  });
  try {
    const rounds: Round[] = [];
    const scripts: {
      wallMs: number;
      cpuMs: number;
      requests: number;
      assumeRoles: number;
      emulatorCpuMs: number;
    }[] = [];
    // Each round: Switchboard on a fresh server, then the script against the role it deployed.
    // The first round of each is a warm-up (JIT, SDK clients, sockets) and is printed apart.
    for (let round = 0; round <= ROUNDS; round++) {
      const sb = await switchboardRound(emulator, round, cfn);
      await emulator.setKnobs({ latencyMs: LATENCY_MS });
      await emulator.resetCounters();
      const scriptEmulatorCpu0 = await emulatorCpuMs(emulator);
      const script = await measured(() =>
        handWrittenOnboarding(sts, emulator.url, requestHandler, sb.roleName, sb.externalId),
      );
      const counted = await emulator.counters();
      const scriptEmulatorCpuMs = (await emulatorCpuMs(emulator)) - scriptEmulatorCpu0;
      if (script.value.failed > 0) throw new Error(`${script.value.failed} script accounts failed`);
      process.stdout.write(
        `${round === 0 ? "warm-up" : `round ${round}`}: Switchboard ${s(sb.round.wallMs)} (onboarding ${s(sb.round.onboardMs)} + reconcile ${s(sb.round.reconcileMs)}), script ${s(script.wallMs)}; load average ${load()}\n`,
      );
      if (process.env.BENCH_DEBUG !== undefined)
        process.stdout.write(`script requests: ${JSON.stringify(counted.byOperation)}\n`);
      if (round === 0) continue;
      rounds.push(sb.round);
      scripts.push({
        wallMs: script.wallMs,
        cpuMs: script.cpuMs,
        requests: counted.total,
        assumeRoles: counted.byOperation["sts:AssumeRole"] ?? 0,
        emulatorCpuMs: scriptEmulatorCpuMs,
      });
    }
    const scriptMs = median(scripts.map((r) => r.wallMs));
    const sbMs = median(rounds.map((r) => r.wallMs));
    const ratio = sbMs / scriptMs;
    process.stdout.write(
      `organization onboarding, ${ACCOUNTS} member accounts in ${UNITS.length} OUs, ${LATENCY_MS} ms per AWS request; median of ${ROUNDS} rounds after a warm-up, each on a fresh server:\n` +
        `  hand-written SDK v3 script (AssumeRole once per account with the onboarding's ExternalId, then GetCallerIdentity and ListRegions as a connection test, ${TEST_CONCURRENCY} accounts at once): ${s(scriptMs)} wall (rounds: ${scripts.map((r) => s(r.wallMs)).join(", ")}); CPU ${s(median(scripts.map((r) => r.cpuMs)))}; ${scripts[0]?.requests ?? 0} AWS requests (${scripts[0]?.assumeRoles ?? 0} sts:AssumeRole); emulator CPU ${s(median(scripts.map((r) => r.emulatorCpuMs)))}\n` +
        `  Switchboard, POST /api/v1/organizations/acme/onboarding (${ACCOUNTS} connections created) + POST …/sync until its reconcile ended (every connection tested, its ledger written), SQLite, in-process workers: ${s(sbMs)} wall (rounds: ${rounds.map((r) => `${s(r.wallMs)} = ${s(r.onboardMs)} + ${s(r.reconcileMs)}`).join(", ")}); server CPU ${s(median(rounds.map((r) => r.serverCpuMs)))}; peak RSS ${mb(Math.max(...rounds.map((r) => r.peakRss)))}; ${rounds[0]?.requests ?? 0} AWS requests (${rounds[0]?.assumeRoles ?? 0} sts:AssumeRole); emulator CPU ${s(median(rounds.map((r) => r.emulatorCpuMs)))}\n` +
        `  ratio ${x(ratio)} (goal ≤ ${GOAL}×: ${verdict(ratio <= GOAL)})\n` +
        `load average after the rounds: ${load()}\n`,
    );
  } finally {
    cfn.destroy();
    sts.destroy();
    requestHandler.destroy();
    restore();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
