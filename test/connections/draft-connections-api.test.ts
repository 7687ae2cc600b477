import net from "node:net";
import { IAMClient, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { useEmulatorAsInstance } from "../helpers/demo-setup.js";
import { signInAsMember } from "../helpers/member.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { hubAccount } from "../helpers/worlds.js";

const HUB = "111111111111";
const PROD = "222222222222";
const DEPLOYER = { id: "AKIAPRODDEPLOYER0001", secret: "prod-deployer-secret-000000000000000000" };
const PLATFORM = { id: "AKIAPRODPLATFORM0001", secret: "prod-platform-secret-000000000000000000" };
const ONBOARDING = `arn:aws:iam::${PROD}:role/switchboard-onboarding`;
// The role one test sets up through IAM, so the role the other tests use never changes.
const ONBOARDED = `arn:aws:iam::${PROD}:role/switchboard-onboarded`;

interface TestResult {
  ok: boolean;
  accountId: string | null;
  arn: string | null;
  regions: string[];
  error: { code: string; message: string; fix: string } | null;
}
interface SetupDocuments {
  externalId: string;
  trustPolicy: { policy: Record<string, unknown>; notes: string[] };
  cloudFormation: { Resources: Record<string, { Type: string; Properties: unknown }> };
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

function world(issuer: string): WorldInput {
  const oidcHost = issuer.replace(/^https?:\/\//, "");
  return {
    regions: ["us-east-1", "eu-west-1"],
    accounts: [
      hubAccount(HUB),
      {
        id: PROD,
        name: "prod",
        users: [
          {
            name: "deployer",
            accessKeys: [{ id: DEPLOYER.id, secret: DEPLOYER.secret }],
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
          {
            name: "platform",
            accessKeys: [{ id: PLATFORM.id, secret: PLATFORM.secret }],
            policies: [
              {
                Version: "2012-10-17",
                Statement: [
                  {
                    Effect: "Allow",
                    Action: "iam:UpdateAssumeRolePolicy",
                    Resource: `arn:aws:iam::${PROD}:role/switchboard-*`,
                  },
                ],
              },
            ],
          },
        ],
        oidcProviders: [{ url: issuer, clientIds: ["default/app-id/switchboard.aws.connector"] }],
        roles: [
          ...["switchboard-onboarding", "switchboard-onboarded"].map((name) => ({
            // Not onboarded yet: the template's placeholder ExternalId, not the org's.
            name,
            trust: {
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { AWS: `arn:aws:iam::${HUB}:root` },
                  Action: "sts:AssumeRole",
                  Condition: { StringEquals: { "sts:ExternalId": "replace-me" } },
                },
              ],
            },
            policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          })),
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
                      [`${oidcHost}:sub`]: "switchboard:connection/web-draft",
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

describeEachDatabase("testing a connection before saving it", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let nina: string;
  let restoreEnv: () => void = () => undefined;
  let common: { endpoint: string; regions: string[] };

  beforeAll(async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    t = await createTestApp(suite.handle().db, { dev: true, oidcIssuer: issuer });
    await t.app.listen({ port, host: "127.0.0.1" });
    emulator = await startEmulator({ world: world(issuer) });
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
    });
    restoreEnv = useEmulatorAsInstance(emulator.url);
    common = { endpoint: emulator.url, regions: ["us-east-1"] };
    await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/prod-deployer", value: DEPLOYER.secret },
    });
    // The org's ambient connection, tested: the generated trust policies name its role.
    await t.call("POST", "/api/v1/connections", {
      body: { name: "hub", method: "ambient", ...common },
    });
    const hub = await t.call("POST", "/api/v1/connections/hub/test");
    expect(hub.json<TestResult>().ok, hub.body).toBe(true);
    nina = await signInAsMember(t, "nina");
  });
  afterAll(async () => {
    restoreEnv();
    await t.close();
    await emulator.close();
  });

  async function draftTest(body: object, options: { token?: string | null; query?: string } = {}) {
    return t.call("POST", `/api/v1/connections/test${options.query ?? ""}`, {
      body,
      ...(options.token === undefined ? {} : { token: options.token }),
    });
  }

  it("explains a role whose trust policy has the wrong ExternalId, and stores nothing", async () => {
    const listNames = async () =>
      (await t.call("GET", "/api/v1/connections"))
        .json<{ items: { name: string }[] }>()
        .items.map((c) => c.name);
    const before = await listNames();
    const body = { name: "onboarding", method: "assume_role", roleArn: ONBOARDING, ...common };
    const response = await draftTest(body);
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json<TestResult>();
    expect(result).toMatchObject({ ok: false, accountId: null, arn: null });
    expect(result.error?.code).toBe("AccessDenied");
    expect(result.error?.message).toMatch(/is not authorized to perform: sts:AssumeRole/);
    expect(result.error?.fix).toMatch(
      /trust policy does not allow this principal or ExternalId.*the trust policy Switchboard made for this draft \(shown beside the connection form\)/,
    );
    expect((await t.call("GET", "/api/v1/connections/onboarding")).statusCode).toBe(404);
    expect(await listNames()).toEqual(before);
    const audit = (await t.call("GET", "/api/v1/audit?action=connection.test-draft")).json<{
      items: { objectId: string; outcome: string }[];
    }>();
    expect(audit.items[0]).toMatchObject({ objectId: "onboarding", outcome: "failure" });
  });

  it("generates the draft's trust policy and template; once the role trusts it, the draft test passes", async () => {
    const body = { name: "onboarded", method: "assume_role", roleArn: ONBOARDED, ...common };
    const response = await t.call("POST", "/api/v1/connections/setup-documents", { body });
    expect(response.statusCode, response.body).toBe(200);
    const docs = response.json<SetupDocuments>();
    // The ExternalId the connection will have, issued to this draft: the role is set up with it first.
    const { externalId } = docs;
    expect(externalId).toMatch(/^switchboard-[\w-]{32}$/);
    expect(docs.trustPolicy.notes).toEqual([]);
    expect(docs.trustPolicy.policy).toMatchObject({
      Statement: [
        {
          Principal: { AWS: `arn:aws:iam::${HUB}:role/host` },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": externalId } },
        },
      ],
    });
    expect(docs.cloudFormation.Resources.SwitchboardRole?.Type).toBe("AWS::IAM::Role");

    // What a person does in AWS: put the shown trust policy on the role.
    await new IAMClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: PLATFORM.id, secretAccessKey: PLATFORM.secret },
    }).send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: "switchboard-onboarded",
        PolicyDocument: JSON.stringify(docs.trustPolicy.policy),
      }),
    );
    const result = (await draftTest({ ...body, externalId })).json<TestResult>();
    expect(result.error).toBeNull();
    expect(result).toMatchObject({ ok: true, accountId: PROD });
    expect(result.arn).toMatch(
      new RegExp(`^arn:aws:sts::${PROD}:assumed-role/switchboard-onboarded/sb-admin-`),
    );
    expect(result.regions).toEqual(["eu-west-1", "us-east-1"]);

    const created = await t.call("POST", "/api/v1/connections", { body: { ...body, externalId } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json<{ lastTest: unknown; externalId: string }>()).toMatchObject({
      lastTest: null,
      externalId,
    });
  });

  it("tests access_key and web_identity drafts, never returning the secret", async () => {
    const keys = await draftTest({
      name: "keys-draft",
      method: "access_key",
      accessKeyId: DEPLOYER.id,
      secretPath: "keys/system/prod-deployer",
      ...common,
    });
    expect(keys.json<TestResult>()).toMatchObject({
      ok: true,
      arn: `arn:aws:iam::${PROD}:user/deployer`,
    });
    expect(keys.body).not.toContain(DEPLOYER.secret);
    expect(t.logs.join("")).not.toContain(DEPLOYER.secret);

    // The token's subject names the draft: the role trusts switchboard:connection/web-draft.
    const web = (
      await draftTest({
        name: "web-draft",
        method: "web_identity",
        roleArn: `arn:aws:iam::${PROD}:role/switchboard-web`,
        ...common,
      })
    ).json<TestResult>();
    expect(web.error).toBeNull();
    expect(web.arn).toMatch(/assumed-role\/switchboard-web\//);
    const otherName = (
      await draftTest({
        name: "web-other",
        method: "web_identity",
        roleArn: `arn:aws:iam::${PROD}:role/switchboard-web`,
        ...common,
      })
    ).json<TestResult>();
    expect(otherName.ok).toBe(false);
    expect(otherName.error?.fix).toMatch(/aud and sub|web identity token/);
  });

  it("checks a draft as a create is checked: ambient for admins, usable secrets and sources, allowed endpoints", async () => {
    const ambient = await draftTest(
      { name: "mine", method: "ambient", ...common },
      { token: nina },
    );
    expect(ambient.statusCode).toBe(403);
    const secret = await draftTest(
      {
        name: "mine",
        method: "access_key",
        accessKeyId: DEPLOYER.id,
        secretPath: "keys/system/prod-deployer",
      },
      { token: nina },
    );
    expect(secret.statusCode).toBe(403);
    const missing = await draftTest({
      name: "mine",
      method: "access_key",
      accessKeyId: DEPLOYER.id,
      secretPath: "keys/system/nope",
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ error: { field: string } }>().error.field).toBe("secretPath");
    const source = await draftTest(
      { name: "mine", method: "assume_role", roleArn: ONBOARDING, sourceConnection: "hub" },
      { token: nina },
    );
    expect(source.statusCode).toBe(400);
    expect(source.json<{ error: { field: string } }>().error.field).toBe("sourceConnection");
    const endpoint = await draftTest({
      name: "mine",
      method: "assume_role",
      roleArn: ONBOARDING,
      endpoint: "http://169.254.169.254/",
    });
    expect(endpoint.statusCode).toBeGreaterThanOrEqual(400);
    expect(endpoint.statusCode).toBeLessThan(500);
    const badArn = await draftTest({ name: "mine", method: "assume_role", roleArn: "nope" });
    expect(badArn.statusCode).toBe(400);
    expect(badArn.json<{ error: { field: string } }>().error.field).toBe("roleArn");
    const noRole = await t.call("POST", "/api/v1/connections/setup-documents", {
      body: { name: "mine", method: "ambient" },
    });
    expect(noRole.statusCode).toBe(400);
    expect(noRole.json<{ error: { field: string } }>().error.field).toBe("method");
    expect((await draftTest({ name: "x" }, { token: null })).statusCode).toBe(401);
  });

  it("tests an edit of a saved connection, checking only what changes, for its editors only", async () => {
    // A connection and a member of this test's own: it makes her an editor.
    const created = await t.call("POST", "/api/v1/connections", {
      body: { name: "hub-edited", method: "ambient", ...common },
    });
    expect(created.statusCode, created.body).toBe(201);
    const olga = await signInAsMember(t, "olga");
    const edited = { name: "hub-edited", method: "ambient", ...common, tags: { env: "hub" } };
    const replacing = "?replacing=hub-edited";
    // Olga is no editor of hub-edited yet: neither the edit nor an ambient draft is hers to test.
    expect((await draftTest(edited, { token: olga, query: replacing })).statusCode).toBe(404);
    await t.call("PUT", "/api/v1/connections/hub-edited/grants", {
      body: [{ principal: "user:olga", role: "editor" }],
    });
    const asEditor = await draftTest(edited, { token: olga, query: replacing });
    expect(asEditor.statusCode, asEditor.body).toBe(200);
    expect(asEditor.json<TestResult>()).toMatchObject({ ok: true, accountId: HUB });
    // Without replacing it is a new ambient connection, which only admins may make.
    expect((await draftTest(edited, { token: olga })).statusCode).toBe(403);
    // Switching the saved connection to a secret she may not use is checked again.
    const switched = await draftTest(
      {
        name: "hub-edited",
        method: "access_key",
        accessKeyId: DEPLOYER.id,
        secretPath: "keys/system/prod-deployer",
      },
      { token: olga, query: replacing },
    );
    expect(switched.statusCode).toBe(403);
  });
});
