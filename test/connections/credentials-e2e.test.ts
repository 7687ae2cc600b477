import net from "node:net";
import {
  DescribeInstancesCommand,
  EC2Client,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { credentialsFor, findConnection } from "../../src/connections/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { useEmulatorAsInstance, useExternalId } from "../helpers/demo-setup.js";
import { hubAccount, trustingHost } from "../helpers/worlds.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

// The roles trust one ExternalId; the tests give it to every connection they make.
const EXTERNAL_ID = "sb-e2e-external-id";
const HUB = "111111111111";
const PROD = "222222222222";
const DEPLOYER = { id: "AKIAPRODDEPLOYER0001", secret: "prod-deployer-secret-000000000000000000" };
const ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess";
const SEVENTEEN = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-north-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "sa-east-1",
];

interface TestResult {
  ok: boolean;
  accountId: string | null;
  arn: string | null;
  regions: string[];
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

// One web identity role per connection name it trusts, so each test that needs one has its own.
const WEB_IDENTITY_NAMES = ["web", "web-rename", "web-secrets"];

function world(issuer: string, externalId: string): WorldInput {
  const oidcHost = issuer.replace(/^https?:\/\//, "");
  return {
    regions: SEVENTEEN,
    accounts: [
      hubAccount(HUB),
      {
        id: PROD,
        name: "prod",
        users: [
          {
            name: "deployer",
            accessKeys: [{ id: DEPLOYER.id, secret: DEPLOYER.secret }],
            policies: [ADMIN_POLICY],
          },
        ],
        oidcProviders: [{ url: issuer, clientIds: ["default/app-id/switchboard.aws.connector"] }],
        roles: [
          {
            name: "switchboard-read",
            trust: trustingHost(HUB, externalId),
            // The role itself could do anything: only the session policy keeps a read connection read-only.
            policies: [ADMIN_POLICY],
          },
          {
            // Reached by role chaining: trusts the switchboard-read role itself.
            name: "chained",
            trust: {
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { AWS: `arn:aws:iam::${PROD}:role/switchboard-read` },
                  Action: "sts:AssumeRole",
                  Condition: { StringEquals: { "sts:ExternalId": externalId } },
                },
              ],
            },
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
          ...WEB_IDENTITY_NAMES.map((name) => ({
            name: `switchboard-${name}`,
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
                      [`${oidcHost}:sub`]: `switchboard:connection/${name}`,
                    },
                  },
                },
              ],
            },
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          })),
        ],
        resources: {
          "us-east-1": {
            ec2: {
              Instances: [
                {
                  InstanceId: "i-0000000000000aaa1",
                  InstanceType: "t3.micro",
                  State: { Code: 16, Name: "running" },
                  LaunchTime: "2026-01-01T00:00:00Z",
                },
              ],
            },
          },
        },
      },
    ],
  };
}

describeEachDatabase("connections against the AWS emulator", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let now = new Date();
  let restoreEnv: () => void = () => undefined;

  beforeAll(async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    t = await createTestApp(suite.handle().db, {
      clock: { now: () => now },
      dev: true,
      oidcIssuer: issuer,
    });
    await t.app.listen({ port, host: "127.0.0.1" });
    emulator = await startEmulator({ world: world(issuer, EXTERNAL_ID) });
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
    });
    // The server's own identity: the emulator's instance role, through the SDK's IMDSv2 provider.
    restoreEnv = useEmulatorAsInstance(emulator.url);

    await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/prod-deployer", value: DEPLOYER.secret },
    });
    await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/wrong-secret", value: "not-the-right-secret-0000000000000000000" },
    });
  });
  afterAll(async () => {
    restoreEnv();
    await t.close();
    await emulator.close();
  });

  let counter = 0;
  /** A name no other test uses: each test makes the connections it tests or changes. */
  const unique = (base: string) => `${base}-${++counter}`;
  async function create(body: { name: string; method: string } & Record<string, unknown>) {
    const created = await t.call("POST", "/api/v1/connections", {
      body: { endpoint: emulator.url, regions: ["us-east-1"], ...body },
    });
    expect(created.statusCode, created.body).toBe(201);
    return body.name;
  }
  const createAmbient = () => create({ name: unique("hub"), method: "ambient" });
  const createAccessKey = (secretPath = "keys/system/prod-deployer") =>
    create({ name: unique("keys"), method: "access_key", accessKeyId: DEPLOYER.id, secretPath });
  /** An assume_role connection with the ExternalId the world's roles trust. */
  async function createAssumeRole(
    body: Record<string, unknown> = {},
    role = `arn:aws:iam::${PROD}:role/switchboard-read`,
  ) {
    const name = await create({
      name: unique("prod"),
      method: "assume_role",
      roleArn: role,
      ...body,
    });
    await useExternalId(suite.handle().db, EXTERNAL_ID);
    return name;
  }
  /** A web_identity connection named as its role (of WEB_IDENTITY_NAMES) expects. */
  const createWebIdentity = (name: string) =>
    create({
      name,
      method: "web_identity",
      roleArn: `arn:aws:iam::${PROD}:role/switchboard-${name}`,
    });

  async function test(name: string, token?: string): Promise<TestResult> {
    const response = await t.call(
      "POST",
      `/api/v1/connections/${name}/test`,
      token === undefined ? {} : { token },
    );
    expect(response.statusCode, response.body).toBe(200);
    return response.json<TestResult>();
  }

  it("ambient: uses the server's instance role through IMDSv2", async () => {
    const result = await test(await createAmbient());
    expect(result).toMatchObject({ ok: true, accountId: HUB });
    expect(result.arn).toMatch(new RegExp(`^arn:aws:sts::${HUB}:assumed-role/host/`));
  });

  it("ambient: uses the ECS task role through the SDK's container-credentials provider", async () => {
    const name = await createAmbient();
    const hub = (await t.call("GET", `/api/v1/connections/${name}`)).json<{ id: string }>();
    t.credentials.cache.forget(hub.id);
    delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `${emulator.url}/v2/credentials/task`;
    try {
      const result = await test(name);
      expect(result).toMatchObject({ ok: true, accountId: HUB });
      expect(result.arn).toMatch(new RegExp(`^arn:aws:sts::${HUB}:assumed-role/host/`));
    } finally {
      delete process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
      process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = emulator.url;
      t.credentials.cache.forget(hub.id);
    }
  });

  it("access_key: signs with the key pair from the key store, and explains a wrong secret", async () => {
    expect(await test(await createAccessKey())).toMatchObject({
      ok: true,
      accountId: PROD,
      arn: `arn:aws:iam::${PROD}:user/deployer`,
    });
    const bad = await test(await createAccessKey("keys/system/wrong-secret"));
    expect(bad.ok).toBe(false);
    expect(bad.error?.code).toBe("SignatureDoesNotMatch");
    expect(bad.error?.fix).toMatch(
      /secret access key at keys\/system\/wrong-secret does not belong to access key id/,
    );
  });

  it("assume_role: assumes the role with its ExternalId and a session name that names the user", async () => {
    // The org's ambient connection, tested, so the trust policy below can name its principal.
    expect((await test(await createAmbient())).ok).toBe(true);
    const prod = await createAssumeRole({ regions: [] });
    const result = await test(prod);
    expect(result.ok, JSON.stringify(result.error)).toBe(true);
    expect(result.arn).toMatch(
      new RegExp(`^arn:aws:sts::${PROD}:assumed-role/switchboard-read/sb-admin-req_`),
    );
    expect(result.regions).toEqual([...SEVENTEEN].sort());
    const shown = (await t.call("GET", `/api/v1/connections/${prod}`)).json<{
      accountId: string;
      regions: string[];
    }>();
    expect(shown.accountId).toBe(PROD);
    expect(shown.regions).toHaveLength(17);
    // With a tested ambient connection, the generated trust policy names the real principal.
    const trust = (await t.call("GET", `/api/v1/connections/${prod}/trust-policy`)).json<{
      policy: { Statement: { Principal: unknown }[] };
    }>();
    expect(trust.policy.Statement[0]?.Principal).toEqual({ AWS: `arn:aws:iam::${HUB}:role/host` });
  });

  it("assume_role: chains through a source connection", async () => {
    const source = await createAssumeRole({ access: "full" });
    const chained = await createAssumeRole(
      { sourceConnection: source },
      `arn:aws:iam::${PROD}:role/chained`,
    );
    const result = await test(chained);
    expect(result.ok, JSON.stringify(result.error)).toBe(true);
    expect(result.arn).toMatch(new RegExp(`^arn:aws:sts::${PROD}:assumed-role/chained/sb-admin-`));
  });

  it("web_identity: exchanges a token Switchboard signed for role credentials", async () => {
    const result = await test(await createWebIdentity("web"));
    expect(result.ok, JSON.stringify(result.error)).toBe(true);
    expect(result.arn).toMatch(
      new RegExp(`^arn:aws:sts::${PROD}:assumed-role/switchboard-web/sb-admin-`),
    );
  });

  it("assumes a role once for calls in 17 regions, and refreshes five minutes before expiry", async () => {
    const prod = await createAssumeRole();
    const connection = await findConnection(
      t.keystore.db,
      (
        await t.keystore.db
          .selectFrom("orgs")
          .select("id")
          .where("name", "=", "default")
          .executeTakeFirstOrThrow()
      ).id,
      prod,
    );
    t.credentials.cache.forget(connection.id);
    emulator.resetCounters();
    const actor = {
      orgId: connection.orgId,
      orgName: "default",
      userName: "admin",
      requestId: "run_fanout",
      sourceIp: null,
    };
    const provider = credentialsFor(t.credentials, connection, actor);
    const identities = await Promise.all(
      SEVENTEEN.map((region) =>
        new STSClient({
          region,
          endpoint: emulator.url,
          credentials: provider,
          requestHandler: t.outbound.requestHandler(connection.orgId),
        }).send(new GetCallerIdentityCommand({})),
      ),
    );
    expect(new Set(identities.map((i) => i.Account))).toEqual(new Set([PROD]));
    expect(emulator.counters().byOperation["sts:AssumeRole"]).toBe(1);
    expect(emulator.counters().byOperation["sts:GetCallerIdentity"]).toBe(17);
    const first = await provider();
    now = new Date((first.expiration?.getTime() ?? 0) - 4 * 60 * 1000);
    try {
      const refreshed = await provider();
      expect(refreshed.accessKeyId).not.toBe(first.accessKeyId);
      expect(emulator.counters().byOperation["sts:AssumeRole"]).toBe(2);
    } finally {
      now = new Date();
    }
  });

  it("a read session cannot write even though the role itself could; a full one can", async () => {
    const orgId = (
      await t.keystore.db
        .selectFrom("orgs")
        .select("id")
        .where("name", "=", "default")
        .executeTakeFirstOrThrow()
    ).id;
    const actor = {
      orgId,
      orgName: "default",
      userName: "admin",
      requestId: "run_write",
      sourceIp: null,
    };
    const ec2 = async (name: string) => {
      const connection = await findConnection(t.keystore.db, orgId, name);
      return new EC2Client({
        region: "us-east-1",
        endpoint: emulator.url,
        credentials: credentialsFor(t.credentials, connection, actor),
        requestHandler: t.outbound.requestHandler(orgId),
        maxAttempts: 1,
      });
    };
    const read = await ec2(await createAssumeRole());
    expect((await read.send(new DescribeInstancesCommand({}))).Reservations).toHaveLength(1);
    const denied = await read
      .send(new TerminateInstancesCommand({ InstanceIds: ["i-0000000000000aaa1"] }))
      .catch((e: unknown) => e as Error);
    expect(denied).toMatchObject({ name: "UnauthorizedOperation" });
    expect((denied as Error).message).toMatch(
      /is not authorized to perform: ec2:TerminateInstances/,
    );
    const full = await ec2(await createAssumeRole({ access: "full" }));
    const terminated = await full.send(
      new TerminateInstancesCommand({ InstanceIds: ["i-0000000000000aaa1"] }),
    );
    expect(terminated.TerminatingInstances?.[0]?.InstanceId).toBe("i-0000000000000aaa1");
  });

  it("explains a wrong ExternalId with the trust-policy fix", async () => {
    // A connection of its own: after the rotation, its role no longer trusts it.
    const prod = await createAssumeRole();
    const rotated = await t.call("POST", `/api/v1/connections/${prod}/external-id/rotate`);
    expect(rotated.statusCode, rotated.body).toBe(200);
    const result = await test(prod);
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe("AccessDenied");
    expect(result.error?.fix).toMatch(
      new RegExp(
        `trust policy does not allow this principal or ExternalId.*connection ${prod}'s trust policy \\(on its page, or switchboard connection show ${prod} --trust-policy\\)`,
      ),
    );
    const health = (await t.call("GET", `/api/v1/connections/${prod}`)).json<{
      lastTest: { ok: boolean };
    }>();
    expect(health.lastTest.ok).toBe(false);
  });

  it("explains a wrong sub after a rename, and an expired token", async () => {
    const web = await createWebIdentity("web-rename");
    // Its role trusts it under the name it was created with.
    const before = await test(web);
    expect(before.ok, JSON.stringify(before.error)).toBe(true);
    const renamedTo = await t.call("PATCH", `/api/v1/connections/${web}`, {
      body: { name: "web-renamed", confirmRename: true },
    });
    expect(renamedTo.statusCode, renamedTo.body).toBe(200);
    const renamed = await test("web-renamed");
    expect(renamed.ok).toBe(false);
    expect(renamed.error?.fix).toMatch(
      /does not accept this token's aud and sub|rejected the web identity token/,
    );
    // This server's issuer is plain http (loopback): AWS itself would never trust it.
    expect(renamed.error?.fix).toMatch(
      /^Switchboard's OIDC issuer is http:\/\/127\.0\.0\.1:\d+, and AWS trusts only an https issuer: set SWITCHBOARD_PUBLIC_URL/,
    );
    const back = await t.call("PATCH", "/api/v1/connections/web-renamed", {
      body: { name: web, confirmRename: true },
    });
    expect(back.statusCode, back.body).toBe(200);
    // Switchboard's clock 20 minutes behind: the token it signs has already expired for AWS.
    now = new Date(Date.now() - 20 * 60 * 1000);
    try {
      const expired = await test(web);
      expect(expired.ok).toBe(false);
      expect(expired.error?.code).toMatch(/ExpiredToken|InvalidIdentityToken/);
    } finally {
      now = new Date();
    }
  });

  it("explains a host outside the allow-list, and refuses a member without a grant", async () => {
    const keys = await createAccessKey();
    await t.call("PUT", "/api/v1/settings/outbound", { body: { allow: ["*.amazonaws.com"] } });
    try {
      const refused = await test(keys);
      expect(refused.ok).toBe(false);
      expect(refused.error?.code).toBe("OUTBOUND_REFUSED");
      expect(refused.error?.fix).toMatch(/outbound allow-list/);
    } finally {
      await t.call("PUT", "/api/v1/settings/outbound", {
        body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
      });
    }
    const piaName = unique("pia");
    const pia = await signInAsMember(t, piaName);
    expect(
      (await t.call("POST", `/api/v1/connections/${keys}/test`, { token: pia })).statusCode,
    ).toBe(404);
    await t.call("PUT", `/api/v1/connections/${keys}/grants`, {
      body: [{ principal: `user:${piaName}`, role: "viewer" }],
    });
    const forbidden = await t.call("POST", `/api/v1/connections/${keys}/test`, { token: pia });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json<{ error: { message: string } }>().error.message).toContain(
      `executor or editor role on connection ${keys} to test it`,
    );
  });

  it("never shows a secret, token or session credential in responses, logs or audit events", async () => {
    // What there is to leak, made here: a secret access key signing, a role's session
    // credentials, and a web identity token Switchboard signed, each used for real.
    const tested = [];
    for (const name of [
      await createAccessKey(),
      await createAssumeRole(),
      await createWebIdentity("web-secrets"),
    ]) {
      const response = await t.call("POST", `/api/v1/connections/${name}/test`);
      expect(response.json<TestResult>().ok, response.body).toBe(true);
      tested.push(response.body, (await t.call("GET", `/api/v1/connections/${name}`)).body);
    }
    const everything = [
      ...tested,
      (await t.call("GET", "/api/v1/connections")).body,
      (await t.call("GET", "/api/v1/audit?limit=500")).body,
      t.logs.join(""),
    ].join("\n");
    expect(everything).not.toContain(DEPLOYER.secret);
    expect(everything).not.toMatch(/ASIA[A-Z0-9]{12,}/);
    expect(everything).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
    expect(everything).not.toContain("SessionToken");
  });
});
