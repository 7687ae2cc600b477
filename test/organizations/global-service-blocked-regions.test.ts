import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DetachPolicyCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { organizationControl } from "../../emulator/organization-control.js";
import type { OrganizationTree } from "../../src/organizations/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { useEmulatorAsInstance } from "../helpers/demo-setup.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { hubAccount } from "../helpers/worlds.js";
import { HUB, MANAGEMENT, MANAGER, OU_NAMES, REGIONS } from "./organization-world.js";

/** Three members, one per OU (Prod, Dev, Security): 310000000001 … 310000000003. */
const MEMBERS = Array.from({ length: 3 }, (_, i) => `31000000000${i + 1}`);
const ouOf = (i: number) => OU_NAMES[i % 3] ?? "Prod";
const PROD = MEMBERS.filter((_, i) => ouOf(i) === "Prod");

function world(): WorldInput {
  return {
    regions: REGIONS,
    accounts: [
      hubAccount(HUB),
      {
        id: MANAGEMENT,
        name: "management",
        users: [
          {
            name: "org-admin",
            accessKeys: [{ id: MANAGER.id, secret: MANAGER.secret }],
            policies: ["arn:aws:iam::aws:policy/AdministratorAccess"],
          },
        ],
      },
      ...MEMBERS.map((id, i) => ({ id, name: `member-${i + 1}` })),
    ],
    organization: {
      managementAccount: MANAGEMENT,
      units: OU_NAMES.map((name) => ({
        name,
        accounts: MEMBERS.filter((_, i) => ouOf(i) === name),
      })),
    },
  };
}

/**
 * An SCP keeping S3 and the region probe's EC2 read out of `region` (the connection test's STS
 * and ec2:DescribeRegions still pass, so the account stays reachable and only the region blocks).
 */
const denyIn = (region: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Deny",
        Action: ["s3:*", "ec2:DescribeAvailabilityZones"],
        Resource: "*",
        Condition: { StringEquals: { "aws:RequestedRegion": region } },
      },
    ],
  });

interface FanOut {
  run: { id: string; status: string };
  results: {
    connection: string;
    region: string;
    status: string;
    error?: { code: string; message: string };
  }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase("Global-service fan-outs move off regions the ledger has blocked", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let restoreEnv: () => void = () => undefined;
  let organizations: OrganizationsClient;
  let rootId: string;

  async function tree(): Promise<OrganizationTree> {
    const response = await t.call("GET", "/api/v1/organizations/acme");
    expect(response.statusCode, response.body).toBe(200);
    return response.json<OrganizationTree>();
  }

  async function waitFor(done: (tree: OrganizationTree) => boolean): Promise<OrganizationTree> {
    for (;;) {
      const current = await tree();
      if (done(current)) return current;
      await sleep(200);
    }
  }

  /** A reconcile asked now, and its end. */
  async function sync(): Promise<OrganizationTree> {
    for (;;) {
      const asked = await t.call("POST", "/api/v1/organizations/acme/sync");
      expect(asked.statusCode, asked.body).toBe(202);
      const { queued, requestedAt } = asked.json<{ queued: boolean; requestedAt: string }>();
      if (!queued) {
        await waitFor((o) => o.organization.lastSync?.status !== "running");
        continue;
      }
      return waitFor(
        (o) =>
          o.organization.lastSync !== null &&
          o.organization.lastSync.status !== "running" &&
          o.organization.lastSync.startedAt >= requestedAt,
      );
    }
  }

  /** Attaches to the Prod OU an SCP per region denying S3 there; detached by the returned function. */
  async function denyOnProd(regions: string[]): Promise<() => Promise<void>> {
    const prod = (await organizationControl.tree(emulator.url)).OrganizationalUnits.find(
      (u) => u.Name === "Prod",
    );
    const targetId = prod?.Id ?? "";
    const ids: string[] = [];
    for (const region of regions) {
      const { Policy } = await organizations.send(
        new CreatePolicyCommand({
          Name: `deny-${region}-${Math.random().toString(36).slice(2, 10)}`,
          Description: `no S3 in ${region}`,
          Type: "SERVICE_CONTROL_POLICY",
          Content: denyIn(region),
        }),
      );
      const policyId = Policy?.PolicySummary?.Id ?? "";
      await organizations.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));
      ids.push(policyId);
    }
    return async () => {
      for (const policyId of ids)
        await organizations.send(
          new DetachPolicyCommand({ PolicyId: policyId, TargetId: targetId }),
        );
    };
  }

  /** aws.s3.listBuckets (a global service) over the organization's connections and REGIONS. */
  async function listBuckets(): Promise<FanOut> {
    const response = await t.call("POST", "/api/v1/actions/aws.s3.listBuckets/run", {
      body: { connections: { tag: "organization=acme" }, regions: REGIONS, input: {} },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<FanOut>();
  }

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db, { dev: true });
    emulator = await startEmulator({ world: world() });
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
    });
    restoreEnv = useEmulatorAsInstance(emulator.url);
    const ok = (r: { statusCode: number; body: string }, status = 201) =>
      expect(r.statusCode, r.body).toBe(status);
    ok(
      await t.call("POST", "/api/v1/secrets", {
        body: { path: "keys/system/org-admin", value: MANAGER.secret },
      }),
    );
    ok(
      await t.call("POST", "/api/v1/connections", {
        body: {
          name: "mgmt",
          method: "access_key",
          accessKeyId: MANAGER.id,
          secretPath: "keys/system/org-admin",
          access: "full",
          regions: REGIONS,
          endpoint: emulator.url,
        },
      }),
    );
    ok(
      await t.call("POST", "/api/v1/connections", {
        body: { name: "hub", method: "ambient", regions: ["us-east-1"], endpoint: emulator.url },
      }),
    );
    for (const name of ["mgmt", "hub"]) {
      const tested = await t.call("POST", `/api/v1/connections/${name}/test`);
      expect(tested.json<{ ok: boolean }>().ok, tested.body).toBe(true);
    }
    ok(
      await t.call("POST", "/api/v1/organizations", {
        body: { name: "acme", connection: "mgmt" },
      }),
    );
    const ous = (await tree()).ous.filter((ou) => ou.parentId !== null).map((ou) => ou.id);
    ok(
      await t.call("POST", "/api/v1/organizations/acme/onboarding", {
        body: { ous, regions: REGIONS, method: "assume_role", hubConnection: "hub" },
      }),
    );
    ok(
      await t.call("POST", "/api/v1/organizations/acme/deploy", {
        body: { region: "us-east-1" },
      }),
      202,
    );
    await waitFor(
      (o) =>
        o.organization.deployment?.status !== "RUNNING" &&
        o.organization.lastSync?.status === "succeeded",
    );
    organizations = new OrganizationsClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: MANAGER.id, secretAccessKey: MANAGER.secret },
    });
    rootId = (await organizations.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? "";
    await organizations.send(
      new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }),
    );
  });
  afterAll(async () => {
    restoreEnv();
    await t?.close();
    await emulator?.close();
  });

  it("runs a global service of an account whose us-east-1 an SCP blocks in the connection's next region, once per account", async () => {
    const detach = await denyOnProd(["us-east-1"]);
    try {
      const after = await sync();
      for (const id of MEMBERS) {
        const blocked = after.accounts.find((a) => a.accountId === id)?.ledger.blockedRegions;
        expect(
          blocked?.map((b) => `${b.region}:${b.reason}`),
          id,
        ).toEqual(PROD.includes(id) ? ["us-east-1:scp"] : []);
      }
      const { run, results } = await listBuckets();
      expect(
        results.map((r) => `${r.connection}/${r.region}/${r.status}`).sort(),
        JSON.stringify(results),
      ).toEqual(
        MEMBERS.map(
          (id) => `acme-${id}/${PROD.includes(id) ? "eu-west-1" : "us-east-1"}/succeeded`,
        ).sort(),
      );
      expect(run.status).toBe("succeeded");
    } finally {
      await detach();
    }
  });

  it("skips with REGION_BLOCKED, naming each region and why, a global service of an account whose every region is blocked", async () => {
    const detach = await denyOnProd(REGIONS);
    try {
      const after = await sync();
      const prodLedger = after.accounts.find((a) => a.accountId === PROD[0])?.ledger;
      expect(prodLedger?.blockedRegions.map((b) => b.region).sort()).toEqual([...REGIONS].sort());
      const { run, results } = await listBuckets();
      const skipped = results.filter((r) => r.status === "skipped");
      expect(skipped.map((r) => r.connection)).toEqual(PROD.map((id) => `acme-${id}`));
      for (const r of skipped) {
        expect(r.error?.code).toBe("REGION_BLOCKED");
        expect(r.error?.message).toContain(`every region of connection ${r.connection} is blocked`);
        for (const region of REGIONS) expect(r.error?.message).toContain(`${region}: `);
        expect(r.error?.message).toContain("a service control policy denies the member role there");
      }
      const ran = results.filter((r) => r.status !== "skipped");
      expect(ran.map((r) => `${r.region}/${r.status}`)).toEqual(
        MEMBERS.filter((id) => !PROD.includes(id)).map(() => "us-east-1/succeeded"),
      );
      expect(run.status).toBe("succeeded");
    } finally {
      await detach();
    }
  });
});
