import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DetachPolicyCommand,
  EnablePolicyTypeCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Emulator } from "../../emulator/index.js";
import { organizationControl } from "../../emulator/organization-control.js";
import { describeEachDatabase } from "../helpers/databases.js";
import type { TestApp } from "../helpers/test-app.js";
import {
  addManagementConnections,
  onboardAndDeployAcme,
  organizationApi,
  startOrganizationWorkbench,
} from "./org-test-kit.js";
import { REGIONS, organizationWorld, ouOf } from "./organization-world.js";

/** Six members, two per OU (Prod, Dev, Security): 300000000001 … 300000000006. */
const MEMBERS = Array.from({ length: 6 }, (_, i) => `30000000000${i + 1}`);
const PROD = MEMBERS.filter((_, i) => ouOf(i) === "Prod");

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
    const { sync } = organizationApi(() => t).of("acme");

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
      const bench = await startOrganizationWorkbench(suite.handle().db, organizationWorld(MEMBERS));
      ({ t, emulator, restoreEnv } = bench);
      await addManagementConnections(bench, { regions: REGIONS });
      ({ organizations, rootId } = await onboardAndDeployAcme(bench));
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
