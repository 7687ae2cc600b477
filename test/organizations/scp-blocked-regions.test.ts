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

/** Six members, two per OU (Prod, Dev, Security): 300000000001 … 300000000006. */
const MEMBERS = Array.from({ length: 6 }, (_, i) => `30000000000${i + 1}`);
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

const DENY_EU_WEST_1 = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
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

describeEachDatabase(
  "Organizations: regions an SCP denies, in the ledger and in fan-outs",
  (suite) => {
    let t: TestApp;
    let emulator: Emulator;
    let restoreEnv: () => void = () => undefined;
    let organizations: OrganizationsClient;
    let rootId: string;
    /** Region probes of the reconciles before SCPs were enabled: none can deny, none is sent. */
    let probesWhileScpsOff: number;

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

    /** Creates an SCP denying eu-west-1 (a fresh name each time) and attaches it to `targetId`. */
    async function denyEuWest1On(targetId: string): Promise<string> {
      const { Policy } = await organizations.send(
        new CreatePolicyCommand({
          Name: `deny-eu-west-1-${Math.random().toString(36).slice(2, 10)}`,
          Description: "no eu-west-1",
          Type: "SERVICE_CONTROL_POLICY",
          Content: DENY_EU_WEST_1,
        }),
      );
      const policyId = Policy?.PolicySummary?.Id ?? "";
      await organizations.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));
      return policyId;
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
      probesWhileScpsOff = emulator.counters().byOperation["ec2:DescribeAvailabilityZones"] ?? 0;
      await organizations.send(
        new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }),
      );
    });
    afterAll(async () => {
      restoreEnv();
      await t?.close();
      await emulator?.close();
    });

    it("records the region an OU's SCP denies as blocked (scp) for exactly that OU's accounts, assuming each role once, and a fan-out skips exactly those pairs", async () => {
      const prod = (await organizationControl.tree(emulator.url)).OrganizationalUnits.find(
        (u) => u.Name === "Prod",
      );
      await denyEuWest1On(prod?.Id ?? "");
      expect(probesWhileScpsOff).toBe(0);
      const assumesBefore = emulator.counters().byOperation["sts:AssumeRole"] ?? 0;
      const after = await sync();
      expect(after.organization.lastSync?.status).toBe("succeeded");
      // One AssumeRole per member account for its test and every region's probe, never per region.
      expect((emulator.counters().byOperation["sts:AssumeRole"] ?? 0) - assumesBefore).toBe(
        MEMBERS.length,
      );
      // Every wanted region of every member is probed now.
      expect(
        emulator.counters().byOperation["ec2:DescribeAvailabilityZones"] ?? 0,
      ).toBeGreaterThanOrEqual(MEMBERS.length * REGIONS.length);
      for (const id of MEMBERS) {
        const ledger = after.accounts.find((a) => a.accountId === id)?.ledger;
        expect(ledger?.assumable, id).toBe(true);
        if (PROD.includes(id)) {
          expect(ledger?.blockedRegions, id).toEqual([
            {
              region: "eu-west-1",
              reason: "scp",
              message: expect.stringContaining(
                "ec2:DescribeAvailabilityZones on resource: * with an explicit deny in a service control policy",
              ) as unknown,
              seenAt: expect.any(String) as unknown,
            },
          ]);
        } else expect(ledger?.blockedRegions, id).toEqual([]);
      }

      const response = await t.call("POST", "/api/v1/actions/aws.ec2.describeInstances/run", {
        body: { connections: { tag: "organization=acme" }, regions: REGIONS, input: {} },
      });
      expect(response.statusCode, response.body).toBe(200);
      const { run, results } = response.json<FanOut>();
      const skipped = results.filter((r) => r.status === "skipped");
      expect(skipped.map((r) => `${r.connection}/${r.region}`).sort()).toEqual(
        PROD.map((id) => `acme-${id}/eu-west-1`).sort(),
      );
      for (const r of skipped) {
        expect(r.error?.code).toBe("REGION_BLOCKED");
        expect(r.error?.message).toContain("a service control policy denies the member role there");
        expect(r.error?.message).toMatch(/seen by the reconcile at \d{4}-\d\d-\d\dT/);
      }
      const ran = results.filter((r) => r.status !== "skipped");
      expect(ran).toHaveLength(MEMBERS.length * REGIONS.length - PROD.length);
      expect(
        ran.every((r) => r.status === "succeeded"),
        JSON.stringify(ran),
      ).toBe(true);
      // Skips are not failures: the run succeeded, it is not partial.
      expect(run.status).toBe("succeeded");
    });

    it("does not hold the management account to an SCP, even one on the root", async () => {
      const policyId = await denyEuWest1On(rootId);
      try {
        const response = await t.call("POST", "/api/v1/actions/aws.ec2.describeInstances/run", {
          body: { connection: "mgmt", region: "eu-west-1", input: {} },
        });
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json<FanOut>().run.status).toBe("succeeded");
        // A member under the root is denied there from now on.
        const after = await sync();
        const member = after.accounts.find((a) => a.accountId === MEMBERS[1]);
        expect(member?.ledger.blockedRegions.map((b) => `${b.region}:${b.reason}`)).toEqual([
          "eu-west-1:scp",
        ]);
      } finally {
        await organizations.send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: rootId }));
      }
    });
  },
);
