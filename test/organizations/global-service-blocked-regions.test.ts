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

/** Three members, one per OU (Prod, Dev, Security): 310000000001 … 310000000003. */
const MEMBERS = Array.from({ length: 3 }, (_, i) => `31000000000${i + 1}`);
const PROD = MEMBERS.filter((_, i) => ouOf(i) === "Prod");

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

describeEachDatabase("Global-service fan-outs move off regions the ledger has blocked", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let restoreEnv: () => void = () => undefined;
  let organizations: OrganizationsClient;
  let rootId: string;
  const { sync } = organizationApi(() => t).of("acme");

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
    const bench = await startOrganizationWorkbench(suite.handle().db, organizationWorld(MEMBERS));
    ({ t, emulator, restoreEnv } = bench);
    await addManagementConnections(bench, { regions: REGIONS });
    ({ organizations, rootId } = await onboardAndDeployAcme(bench));
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
