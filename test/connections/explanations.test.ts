import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const ACCOUNT = "412345678901";
const SERVER = {
  accessKeyId: "AKIASERVERIDENTITY04",
  secretAccessKey: "server-secret-4444444444444444444444444",
};
const DEPLOYER = { id: "AKIADEPLOYERKEY00004", secret: "deployer-secret-44444444444444444444444" };
const MISSING_ROLE = `arn:aws:iam::${ACCOUNT}:role/no-such-role`;

interface Explained {
  code: string;
  message: string;
  fix: string;
  see?: string;
}

describeEachDatabase("AWS errors explained", (suite) => {
  let t: TestApp;
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({
      world: {
        regions: ["us-east-1"],
        accounts: [
          {
            id: ACCOUNT,
            name: "prod",
            users: [
              {
                // The server's own identity: may assume any role.
                name: "switchboard-server",
                accessKeys: [{ id: SERVER.accessKeyId, secret: SERVER.secretAccessKey }],
                policies: [
                  {
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
                  },
                ],
              },
              {
                // May list ECS clusters, and nothing of EC2.
                name: "deployer",
                accessKeys: [{ id: DEPLOYER.id, secret: DEPLOYER.secret }],
                policies: [
                  {
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: "ecs:ListClusters", Resource: "*" }],
                  },
                ],
              },
            ],
          },
        ],
      },
    });
    t = await createTestApp(suite.handle().db, {
      ambientProvider: () => () => Promise.resolve(SERVER),
    });
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: [`127.0.0.1:${emulator.port}`] },
    });
    for (const [path, value] of [
      ["keys/system/deployer", DEPLOYER.secret],
      ["keys/system/not-deployers", "not-the-deployers-secret-000000000000000"],
    ] as const) {
      await t.call("POST", "/api/v1/secrets", { body: { path, value } });
    }
    const common = { endpoint: emulator.url, regions: ["us-east-1"] };
    for (const body of [
      {
        name: "deployer",
        method: "access_key",
        accessKeyId: DEPLOYER.id,
        secretPath: "keys/system/deployer",
        ...common,
      },
      {
        name: "wrong-secret",
        method: "access_key",
        accessKeyId: DEPLOYER.id,
        secretPath: "keys/system/not-deployers",
        ...common,
      },
      { name: "missing-role", method: "assume_role", roleArn: MISSING_ROLE, ...common },
    ]) {
      const created = await t.call("POST", "/api/v1/connections", { body });
      expect(created.statusCode, created.body).toBe(201);
    }
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  async function runError(action: string, connection: string): Promise<Explained | undefined> {
    const response = await t.call("POST", `/api/v1/actions/${action}/run`, {
      body: { connections: [connection], regions: "*", input: {} },
    });
    expect(response.statusCode, response.body).toBe(200);
    const [result] = response.json<{ results: { status: string; error?: Explained }[] }>().results;
    expect(result?.status).toBe("failed");
    return result?.error;
  }

  async function testError(connection: string): Promise<Explained | null> {
    const response = await t.call("POST", `/api/v1/connections/${connection}/test`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ error: Explained | null }>().error;
  }

  const namesKeyAndClock = (fix: string) => {
    expect(fix).toContain(DEPLOYER.id);
    expect(fix).toContain("keys/system/not-deployers");
    expect(fix).toMatch(/clock/);
  };

  it("names the access key id, its secret's key-store path and the clock for EC2's AuthFailure", async () => {
    const error = await runError("aws.ec2.describeInstances", "wrong-secret");
    expect(error?.code).toBe("AuthFailure");
    namesKeyAndClock(error?.fix ?? "");
  });

  it("names the access key id, its secret's key-store path and the clock for a JSON service's InvalidSignatureException", async () => {
    const error = await runError("aws.ecs.listClusters", "wrong-secret");
    expect(error?.code).toBe("InvalidSignatureException");
    namesKeyAndClock(error?.fix ?? "");
  });

  it("names the access key id, its secret's key-store path and the clock for STS's SignatureDoesNotMatch", async () => {
    const error = await testError("wrong-secret");
    expect(error?.code).toBe("SignatureDoesNotMatch");
    namesKeyAndClock(error?.fix ?? "");
  });

  it("points a denial to the user's policy when the identity is an IAM user", async () => {
    const error = await runError("aws.ec2.describeInstances", "deployer");
    expect(error?.code).toBe("UnauthorizedOperation");
    expect(error?.fix).toContain("grant it in the user's policy (IAM user deployer)");
    expect(error?.fix).not.toMatch(/role/);
  });

  it("lists both likely causes of an AssumeRole AccessDenied: the role ARN, and the trust policy's principal or ExternalId", async () => {
    const error = await testError("missing-role");
    expect(error?.code).toBe("AccessDenied");
    expect(error?.fix).toContain(`the role ARN ${MISSING_ROLE} is wrong`);
    expect(error?.fix).toMatch(/trust policy does not allow this principal or ExternalId/);
    // A fix names what to look at, never an API route: the web UI, the CLI and the API show it.
    expect(error?.fix).toContain("connection missing-role's trust policy");
    expect(error?.fix).not.toMatch(/\/api\//);
    expect(error?.see).toBe("trust-policy");
  });
});
