import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import type { Db } from "../../src/db/index.js";
import { useEmulatorAsInstance, useExternalId } from "../helpers/demo-setup.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { hubAccount, trustingHost } from "../helpers/worlds.js";

export const HUB = "100000000000";
export const REGIONS = ["us-east-1", "eu-west-1", "us-west-2"];
export const accountId = (i: number) => String(100000000000 + i);
const EXTERNAL_ID = "sb-engine-external-id";

/** Member accounts 1..n, each with a read role and a full role, an instance and a cluster per region. */
export function engineWorld(members: number): WorldInput {
  return {
    regions: REGIONS,
    accounts: [
      hubAccount(HUB),
      ...Array.from({ length: members }, (_, k) => {
        const id = accountId(k + 1);
        return {
          id,
          name: `member-${k + 1}`,
          roles: [
            {
              name: "switchboard-read",
              trust: trustingHost(HUB, EXTERNAL_ID),
              policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            },
            {
              name: "switchboard-full",
              trust: trustingHost(HUB, EXTERNAL_ID),
              policies: ["arn:aws:iam::aws:policy/AdministratorAccess"],
            },
          ],
          resources: Object.fromEntries(
            REGIONS.map((region) => [
              region,
              {
                ec2: {
                  Instances: [
                    {
                      InstanceId: `i-${id}${region.length}`,
                      InstanceType: "t3.micro",
                      State: { Code: 16, Name: "running" },
                    },
                  ],
                },
                ecs: {
                  clusters: [
                    {
                      clusterArn: `arn:aws:ecs:${region}:${id}:cluster/c-${k + 1}`,
                      clusterName: `c-${k + 1}`,
                      status: "ACTIVE",
                    },
                  ],
                },
              },
            ]),
          ),
        };
      }),
    ],
  };
}

export interface EngineStage {
  t: TestApp;
  emulator: Emulator;
  close(): Promise<void>;
}

/**
 * An app (with its workers) on the database, the emulator with `members` accounts, and a
 * connection member-i (tag env=prod for even i, dev for odd) to each account's read role, or its
 * full role for the names in `full`.
 */
export async function engineStage(
  db: Db,
  members: number,
  options: { full?: string[]; app?: Parameters<typeof createTestApp>[1] } = {},
): Promise<EngineStage> {
  const emulator = await startEmulator({ world: engineWorld(members) });
  const restoreEnv = useEmulatorAsInstance(emulator.url);
  const t = await createTestApp(db, options.app);
  const put = await t.call("PUT", "/api/v1/settings/outbound", {
    body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
  });
  if (put.statusCode !== 200) throw new Error(put.body);
  for (let i = 1; i <= members; i++) {
    const name = `member-${i}`;
    const full = options.full?.includes(name) === true;
    const created = await t.call("POST", "/api/v1/connections", {
      body: {
        name,
        method: "assume_role",
        roleArn: `arn:aws:iam::${accountId(i)}:role/${full ? "switchboard-full" : "switchboard-read"}`,
        endpoint: emulator.url,
        regions: REGIONS,
        tags: { env: i % 2 === 0 ? "prod" : "dev" },
        ...(full ? { access: "full" } : {}),
      },
    });
    if (created.statusCode !== 201) throw new Error(created.body);
  }
  await useExternalId(db, EXTERNAL_ID);
  return {
    t,
    emulator,
    close: async () => {
      restoreEnv();
      await t.close();
      await emulator.close();
    },
  };
}

export interface RunView {
  id: string;
  status: string;
  steps: {
    id: string;
    status: string;
    targetCount: number;
    output?: unknown;
    error?: { code: string; message: string };
    summary: Record<string, number> | null;
  }[];
}

/** Polls a run until `done` says so (default: finished), failing after `timeoutMs`. */
export async function waitForRun(
  t: TestApp,
  id: string,
  done: (run: RunView) => boolean = (run) =>
    ["succeeded", "failed", "partial", "cancelled"].includes(run.status),
  timeoutMs = 60_000,
): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await t.call("GET", `/api/v1/runs/${id}`);
    if (response.statusCode !== 200) throw new Error(response.body);
    const run = response.json<RunView>();
    if (done(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status}: ${response.body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function saveWorkflow(t: TestApp, yaml: string): Promise<{ webhookSecret?: string }> {
  const response = await t.call("POST", "/api/v1/workflows", {
    body: yaml,
    headers: { "content-type": "application/yaml" },
  });
  if (response.statusCode !== 200) throw new Error(response.body);
  return response.json();
}

export async function startWorkflow(
  t: TestApp,
  name: string,
  inputs: Record<string, unknown> = {},
): Promise<string> {
  const response = await t.call("POST", `/api/v1/workflows/${name}/runs`, { body: { inputs } });
  if (response.statusCode !== 202) throw new Error(response.body);
  return response.json<{ id: string }>().id;
}
