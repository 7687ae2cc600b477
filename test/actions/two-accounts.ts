import { expect } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";

/** The API as a test reaches it: a TestApp's inject, or fetch to a server process. */
export interface ApiCaller {
  call(
    method: "GET" | "POST" | "PUT",
    url: string,
    options?: { body?: unknown },
  ): Promise<{ statusCode: number; body: string }>;
}

export const ACCOUNT_A = "411111111111";
export const ACCOUNT_B = "422222222222";
export const REGIONS = ["us-east-1", "eu-west-1"];

const keyOf = (account: string) => ({
  id: `AKIAPLAN${account}`,
  secret: `plan-secret-${account}-000000000000000000`,
});

function account(id: string, name: string) {
  return {
    id,
    name,
    users: [
      {
        name: "admin",
        accessKeys: [keyOf(id)],
        policies: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      },
    ],
    resources: Object.fromEntries(
      REGIONS.map((region) => [
        region,
        {
          ec2: {
            Instances: [1, 2].map((n) => ({
              InstanceId: `i-${id.slice(0, 4)}${REGIONS.indexOf(region)}${n}`,
              InstanceType: "t3.micro",
              State: { Code: 16, Name: "running" },
            })),
          },
        },
      ]),
    ),
  };
}

const world: WorldInput = {
  regions: REGIONS,
  accounts: [account(ACCOUNT_A, "alpha"), account(ACCOUNT_B, "beta")],
};

/**
 * Two AWS accounts, each with two EC2 instances per region, and connections to them: a-full and
 * a-read reach account A (both tested, so they know their account), b-read reaches account B.
 */
export async function twoAccounts(t: ApiCaller): Promise<Emulator> {
  const emulator = await startEmulator({ world });
  await t.call("PUT", "/api/v1/settings/outbound", {
    body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
  });
  const connections = [
    { name: "a-full", account: ACCOUNT_A, access: "full" },
    { name: "a-read", account: ACCOUNT_A, access: "read" },
    { name: "b-read", account: ACCOUNT_B, access: "read" },
  ] as const;
  for (const c of connections) {
    const path = `keys/system/plan-${c.account}`;
    await t.call("POST", "/api/v1/secrets", { body: { path, value: keyOf(c.account).secret } });
    const created = await t.call("POST", "/api/v1/connections", {
      body: {
        name: c.name,
        method: "access_key",
        accessKeyId: keyOf(c.account).id,
        secretPath: path,
        access: c.access,
        endpoint: emulator.url,
        regions: REGIONS,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    // The test learns the account id: the fan-out knows a-full and a-read reach one account.
    const tested = await t.call("POST", `/api/v1/connections/${c.name}/test`);
    expect(tested.statusCode, tested.body).toBe(200);
  }
  return emulator;
}
