import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { useEmulatorAsInstance, useExternalId } from "../helpers/demo-setup.js";
import { hubAccount, trustingHost } from "../helpers/worlds.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const HUB = "100000000000";
const MEMBER = "100000000001";
const EXTERNAL_ID = "sb-opt-in-external-id";

// The member account has enabled the opt-in region ap-east-1, not af-south-1.
function world(): WorldInput {
  const instance = (region: string) => ({
    ec2: {
      Instances: [
        {
          InstanceId: `i-${region}`,
          InstanceType: "t3.micro",
          State: { Code: 16, Name: "running" },
        },
      ],
    },
  });
  return {
    regions: ["us-east-1", "eu-west-1"],
    optInRegions: ["af-south-1", "ap-east-1"],
    accounts: [
      { ...hubAccount(HUB), enabledRegions: ["ap-east-1"] },
      {
        id: MEMBER,
        name: "member",
        enabledRegions: ["ap-east-1"],
        roles: [
          {
            name: "switchboard-read",
            trust: trustingHost(HUB, EXTERNAL_ID),
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
        ],
        resources: { "us-east-1": instance("us-east-1"), "ap-east-1": instance("ap-east-1") },
      },
    ],
  };
}

interface FanOut {
  summary: { total: number; succeeded: number; failed: number; refused: number; skipped: number };
  results: {
    region: string;
    status: string;
    output?: { Reservations?: { Instances?: { InstanceId?: string }[] }[] };
    error?: { code: string; message: string; fix?: string };
  }[];
}

describeEachDatabase("fan-out over a region the account has not enabled", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let restoreEnv: () => void;

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    emulator = await startEmulator({ world: world() });
    restoreEnv = useEmulatorAsInstance(emulator.url);
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
    });
    const created = await t.call("POST", "/api/v1/connections", {
      body: {
        name: "member",
        method: "assume_role",
        roleArn: `arn:aws:iam::${MEMBER}:role/switchboard-read`,
        endpoint: emulator.url,
        // Regions written by hand, not discovered: one of them is not enabled for the account.
        regions: ["us-east-1", "ap-east-1", "af-south-1"],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    await useExternalId(suite.handle().db, EXTERNAL_ID);
  });
  afterAll(async () => {
    restoreEnv();
    await t.close();
    await emulator.close();
  });

  it("reports the disabled region's target failed, explained as an opt-in region to enable, and the others succeed", async () => {
    const response = await t.call("POST", "/api/v1/actions/aws.ec2.describeInstances/run", {
      body: { connections: "*", regions: "*", input: {} },
    });
    expect(response.statusCode, response.body).toBe(200);
    const fanOut = response.json<FanOut>();
    expect(fanOut.summary).toEqual({
      total: 3,
      succeeded: 2,
      failed: 1,
      refused: 0,
      skipped: 0,
      unknown: 0,
      cancelled: 0,
    });
    const byRegion = new Map(fanOut.results.map((r) => [r.region, r]));
    for (const region of ["us-east-1", "ap-east-1"])
      expect(byRegion.get(region)?.output?.Reservations?.[0]?.Instances?.[0]?.InstanceId).toBe(
        `i-${region}`,
      );
    expect(byRegion.get("af-south-1")).toMatchObject({
      status: "failed",
      error: {
        code: "AuthFailure",
        message: "AWS was not able to validate the provided access credentials",
      },
    });
    expect(byRegion.get("af-south-1")?.error?.fix).toMatch(
      /^af-south-1 is an opt-in region and AWS does not know these credentials there: the account has most likely not enabled it\. Enable the region .* or take it out of connection member's regions/,
    );
  });
});
