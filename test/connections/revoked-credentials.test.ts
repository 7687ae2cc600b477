import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { useEmulatorAsInstance } from "../helpers/demo-setup.js";
import { hubAccount, trustingHost } from "../helpers/worlds.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const HUB = "311111111111";
const PROD = "322222222222";
const DEPLOYER = { id: "AKIAPRODDEPLOYER0003", secret: "prod-deployer-secret-333333333333333333" };
const REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "eu-west-1",
  "eu-west-2",
  "eu-central-1",
  "ap-south-1",
];
const READ_ROLE = `arn:aws:iam::${PROD}:role/switchboard-read`;
const WEB_ROLE = `arn:aws:iam::${PROD}:role/switchboard-web`;

interface FanOut {
  summary: { total: number; succeeded: number; failed: number };
  results: {
    connection: string;
    region: string;
    status: string;
    error?: { code: string; message: string; fix?: string };
  }[];
}

interface TestResult {
  ok: boolean;
  arn: string | null;
  error: { code: string; message: string; fix: string } | null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function world(issuer: string, externalId: string): WorldInput {
  const oidcHost = issuer.replace(/^https?:\/\//, "");
  const hub = hubAccount(HUB);
  return {
    regions: REGIONS,
    accounts: [
      // The host role also reads EC2, for the ambient connection's runs.
      {
        ...hub,
        roles: hub.roles.map((role) => ({
          ...role,
          policies: [...role.policies, "arn:aws:iam::aws:policy/ReadOnlyAccess"],
        })),
      },
      {
        id: PROD,
        name: "prod",
        users: [
          {
            name: "deployer",
            accessKeys: [{ id: DEPLOYER.id, secret: DEPLOYER.secret }],
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
        ],
        oidcProviders: [{ url: issuer, clientIds: ["default/app-id/switchboard.aws.connector"] }],
        roles: [
          {
            name: "switchboard-read",
            trust: trustingHost(HUB, externalId),
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
          {
            name: "switchboard-web",
            trust: {
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { Federated: `arn:aws:iam::${PROD}:oidc-provider/${oidcHost}` },
                  Action: "sts:AssumeRoleWithWebIdentity",
                  Condition: {
                    StringEquals: {
                      [`${oidcHost}:aud`]: "default/app-id/switchboard.aws.connector",
                      [`${oidcHost}:sub`]: "switchboard:connection/web",
                    },
                  },
                },
              ],
            },
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
        ],
      },
    ],
  };
}

describeEachDatabase("credentials AWS has stopped accepting", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let restoreEnv: () => void = () => undefined;

  beforeAll(async () => {
    // The emulator fetches the issuer's JWKS for web_identity: the app listens on a real port.
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    t = await createTestApp(suite.handle().db, { dev: true, oidcIssuer: issuer });
    await t.app.listen({ port, host: "127.0.0.1" });
    // The connections first: the role trusts the ExternalId Switchboard gives prod.
    const emulatorPort = await freePort();
    const endpoint = `http://127.0.0.1:${emulatorPort}`;
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: [`127.0.0.1:${emulatorPort}`] },
    });
    await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/deployer", value: DEPLOYER.secret },
    });
    const common = { endpoint, regions: REGIONS };
    let externalId = "";
    for (const body of [
      { name: "hub", method: "ambient", ...common },
      { name: "prod", method: "assume_role", roleArn: READ_ROLE, ...common },
      { name: "web", method: "web_identity", roleArn: WEB_ROLE, ...common },
      {
        name: "keys",
        method: "access_key",
        accessKeyId: DEPLOYER.id,
        secretPath: "keys/system/deployer",
        ...common,
      },
    ]) {
      const created = await t.call("POST", "/api/v1/connections", { body });
      expect(created.statusCode, created.body).toBe(201);
      externalId = created.json<{ externalId?: string }>().externalId ?? externalId;
    }
    emulator = await startEmulator({ world: world(issuer, externalId), port: emulatorPort });
    // The server's own identity is the hub's instance role, from the emulator's IMDSv2: its
    // sessions are revoked too when every session is.
    restoreEnv = useEmulatorAsInstance(emulator.url);
  });
  afterAll(async () => {
    restoreEnv();
    await t.close();
    await emulator.close();
  });

  async function describeInstances(connections: string[]): Promise<FanOut> {
    const response = await t.call("POST", "/api/v1/actions/aws.ec2.describeInstances/run", {
      body: { connections, regions: "*", input: {}, everyConnection: true },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<FanOut>();
  }

  function failures(run: FanOut): unknown[] {
    return run.results.filter((r) => r.status !== "succeeded").map((r) => [r.connection, r.error]);
  }

  it("runs on ambient, assume_role, web_identity and access_key connections succeed again after every session is revoked", async () => {
    const all = ["hub", "prod", "web", "keys"];
    expect(failures(await describeInstances(all))).toEqual([]);

    expect(emulator.revokeSessions()).toBeGreaterThan(0);
    const run = await describeInstances(all);

    expect(failures(run)).toEqual([]);
    expect(run.summary).toMatchObject({ total: all.length * REGIONS.length, failed: 0 });
  });

  it("refreshes a role's revoked session once, not once per call in flight", async () => {
    expect(failures(await describeInstances(["prod", "web"]))).toEqual([]);

    emulator.revokeSessions(READ_ROLE);
    emulator.revokeSessions(WEB_ROLE);
    emulator.resetCounters();
    const run = await describeInstances(["prod", "web"]);

    expect(failures(run)).toEqual([]);
    const counters = emulator.counters();
    // The calls in flight with the revoked sessions were refused (up to every region's of both
    // connections), were each sent once more, and one new session per connection served them all.
    expect(counters.authFailures).toBeGreaterThan(0);
    expect(counters.authFailures).toBeLessThanOrEqual(2 * REGIONS.length);
    expect(counters.byOperation["ec2:DescribeInstances"]).toBe(
      2 * REGIONS.length + counters.authFailures,
    );
    expect(counters.byOperation["sts:AssumeRole"]).toBe(1);
    expect(counters.byOperation["sts:AssumeRoleWithWebIdentity"]).toBe(1);
  });

  it("tests a connection with fresh credentials after its sessions were revoked", async () => {
    for (const name of ["prod", "web"]) {
      expect(failures(await describeInstances([name]))).toEqual([]);
    }
    emulator.revokeSessions();

    for (const name of ["prod", "web"]) {
      const response = await t.call("POST", `/api/v1/connections/${name}/test`);
      expect(response.statusCode, response.body).toBe(200);
      const result = response.json<TestResult>();
      expect(result.error).toBeNull();
      expect(result.ok).toBe(true);
      expect(result.arn).toMatch(new RegExp(`^arn:aws:sts::${PROD}:assumed-role/`));
    }
  });

  it("retries a refused call once only: a key AWS keeps refusing fails the target", async () => {
    await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/not-the-secret", value: "not-the-secret-00000000000000000000000" },
    });
    const created = await t.call("POST", "/api/v1/connections", {
      body: {
        name: "wrong-secret",
        method: "access_key",
        accessKeyId: DEPLOYER.id,
        secretPath: "keys/system/not-the-secret",
        endpoint: emulator.url,
        regions: ["us-east-1"],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    try {
      emulator.resetCounters();
      const run = await describeInstances(["wrong-secret"]);

      expect(run.results).toMatchObject([{ status: "failed", error: { code: "AuthFailure" } }]);
      expect(emulator.counters().byOperation["ec2:DescribeInstances"]).toBe(2);
    } finally {
      await t.call("DELETE", "/api/v1/connections/wrong-secret");
    }
  });
});
