import { IAMClient, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { useEmulatorAsInstance } from "../helpers/demo-setup.js";
import { signInAsMember } from "../helpers/member.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { hubAccount, trustingHost } from "../helpers/worlds.js";

const HUB = "111111111111";
const PROD = "222222222222";
const ROLE = `arn:aws:iam::${PROD}:role/switchboard-read`;
const SANDBOX_ROLE = `arn:aws:iam::${PROD}:role/switchboard-sandbox`;
const ROTATING_ROLE = `arn:aws:iam::${PROD}:role/switchboard-rotating`;
// The account's platform engineer, who sets up the roles' trust policies.
const PLATFORM = { id: "AKIAPRODPLATFORM0001", secret: "prod-platform-secret-000000000000000000" };

interface Conn {
  name: string;
  externalId?: string;
  myRoles: string[];
}
interface TestResult {
  ok: boolean;
  accountId: string | null;
  error: { code: string; message: string; fix: string } | null;
  externalId?: string;
}
interface SetupDocuments {
  externalId?: string;
  trustPolicy: { policy: { Statement: { Condition: unknown }[] } };
  cloudFormation: {
    Resources: {
      SwitchboardRole: { Properties: { AssumeRolePolicyDocument: { Statement: unknown[] } } };
    };
  };
}
interface RunResponse {
  output?: unknown;
  results?: { status: string; output?: unknown; error?: { code: string } }[];
  error?: { code: string; message: string };
}

function world(): WorldInput {
  const instance = {
    InstanceId: "i-0000000000000001",
    ImageId: "ami-0abcdef1234567890",
    InstanceType: "t3.micro",
    LaunchTime: "2026-01-01T00:00:00Z",
    State: { Code: 16, Name: "running" },
    Placement: { AvailabilityZone: "us-east-1a" },
    Tags: [{ Key: "Name", Value: "payments-db" }],
  };
  return {
    regions: ["us-east-1"],
    accounts: [
      hubAccount(HUB),
      {
        id: PROD,
        name: "prod",
        users: [
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
        // Not set up yet: each trusts the ExternalId its connection shows once it is known.
        roles: ["switchboard-read", "switchboard-sandbox", "switchboard-rotating"].map((name) => ({
          name,
          trust: trustingHost(HUB, "not-set-up-yet"),
          policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        })),
        resources: {
          "us-east-1": {
            ec2: { Instances: [instance] },
            secretsmanager: {
              SecretList: [
                {
                  ARN: `arn:aws:secretsmanager:us-east-1:${PROD}:secret:prod/db-AbCdEf`,
                  Name: "prod/db",
                  CreatedDate: "2025-06-01T00:00:00Z",
                },
              ],
            },
          },
        },
      },
    ],
  };
}

describeEachDatabase("one ExternalId per connection", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let restoreEnv: () => void = () => undefined;
  let nina: string;
  let omar: string;
  let common: { endpoint: string; regions: string[] };
  let productionExternalId: string;

  async function setupDocuments(body: object, token?: string) {
    const response = await t.call("POST", "/api/v1/connections/setup-documents", {
      body,
      ...(token === undefined ? {} : { token }),
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<SetupDocuments>();
  }
  /** What a person does in AWS: make the role trust the ExternalId Switchboard showed. */
  async function trustExternalId(role: string, externalId: string) {
    await new IAMClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: PLATFORM.id, secretAccessKey: PLATFORM.secret },
    }).send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: role.split("/").pop(),
        PolicyDocument: JSON.stringify(trustingHost(HUB, externalId)),
      }),
    );
  }
  async function connectionNames(): Promise<string[]> {
    return (await t.call("GET", "/api/v1/connections"))
      .json<{ items: { name: string }[] }>()
      .items.map((c) => c.name);
  }
  /** An ambient connection of the calling test's own, with the grants it sets. */
  async function ambientWithGrants(name: string, grants: { principal: string; role: string }[]) {
    const created = await t.call("POST", "/api/v1/connections", {
      body: { name, method: "ambient", ...common },
    });
    expect(created.statusCode, created.body).toBe(201);
    const granted = await t.call("PUT", `/api/v1/connections/${name}/grants`, { body: grants });
    expect(granted.statusCode, granted.body).toBe(200);
    return name;
  }
  async function run(action: string, connection: string, input: object, token?: string) {
    return t.call("POST", `/api/v1/actions/${action}/run`, {
      body: { connection, region: "us-east-1", input },
      ...(token === undefined ? {} : { token }),
    });
  }

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    nina = await signInAsMember(t, "nina");
    omar = await signInAsMember(t, "omar");
    emulator = await startEmulator({ world: world() });
    restoreEnv = useEmulatorAsInstance(emulator.url);
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
    });
    common = { endpoint: emulator.url, regions: ["us-east-1"] };
    const created = await t.call("POST", "/api/v1/connections", {
      body: { name: "production", method: "assume_role", roleArn: ROLE, ...common },
    });
    expect(created.statusCode, created.body).toBe(201);
    productionExternalId = created.json<Conn>().externalId ?? "";
    await trustExternalId(ROLE, productionExternalId);
    await t.call("PUT", "/api/v1/connections/production/grants", {
      body: [{ principal: "org", role: "viewer" }],
    });
    const hub = await t.call("POST", "/api/v1/connections", {
      body: { name: "hub", method: "ambient", ...common },
    });
    expect(hub.statusCode, hub.body).toBe(201);
    await t.call("PUT", "/api/v1/connections/hub/grants", {
      body: [{ principal: "org", role: "viewer" }],
    });
  });
  afterAll(async () => {
    restoreEnv();
    await t.close();
    await emulator.close();
  });

  it("shows each assume_role connection its own generated ExternalId, the one its trust policy and template require", async () => {
    const production = (await t.call("GET", "/api/v1/connections/production")).json<Conn>();
    expect(production.externalId).toBe(productionExternalId);
    expect(production.externalId).toMatch(/^switchboard-[\w-]{32}$/);
    const condition = { StringEquals: { "sts:ExternalId": productionExternalId } };
    const trust = (await t.call("GET", "/api/v1/connections/production/trust-policy")).json<{
      policy: { Statement: { Condition: unknown }[] };
    }>();
    expect(trust.policy.Statement[0]?.Condition).toEqual(condition);
    const template = (await t.call("GET", "/api/v1/connections/production/setup")).json<
      SetupDocuments["cloudFormation"]
    >();
    expect(
      template.Resources.SwitchboardRole.Properties.AssumeRolePolicyDocument.Statement,
    ).toEqual([expect.objectContaining({ Condition: condition })]);
    // The org's viewers see it too: it is not a secret, and knowing it lets no one use it.
    const asViewer = (
      await t.call("GET", "/api/v1/connections/production", { token: nina })
    ).json<Conn>();
    expect(asViewer).toMatchObject({ externalId: productionExternalId, myRoles: ["viewer"] });
    expect(
      (await t.call("GET", "/api/v1/connections/hub")).json<Conn>().externalId,
    ).toBeUndefined();

    const sameRole = await t.call("POST", "/api/v1/connections", {
      body: { name: "production-2", method: "assume_role", roleArn: ROLE, ...common },
    });
    expect(sameRole.statusCode, sameRole.body).toBe(201);
    const second = sameRole.json<Conn>().externalId;
    expect(second).toMatch(/^switchboard-[\w-]{32}$/);
    expect(second).not.toBe(productionExternalId);
    // Even an admin's second connection to the same role is not let in with the first one's.
    const test = (await t.call("POST", "/api/v1/connections/production-2/test")).json<TestResult>();
    expect(test).toMatchObject({ ok: false, error: { code: "AccessDenied" } });
    await t.call("DELETE", "/api/v1/connections/production-2");
  });

  it("refuses a member's copy of a connection she only views, run as the server's identity, before anything is stored", async () => {
    const viewedHub = await ambientWithGrants("hub-viewed", [{ principal: "org", role: "viewer" }]);
    const namesBefore = await connectionNames();
    // Production works for those it is meant for: the account has data to protect.
    const admin = (await run("aws.ec2.describeInstances", "production", {})).json<RunResponse>();
    expect(JSON.stringify(admin.output)).toContain("i-0000000000000001");
    emulator.resetCounters();

    const copies = [
      { name: "prod-copy", method: "assume_role", roleArn: ROLE, ...common },
      { name: "prod-copy", method: "assume_role", roleArn: ROLE, access: "full", ...common },
      // The server's identity named explicitly, through the org's ambient connection she only views.
      {
        name: "prod-copy",
        method: "assume_role",
        roleArn: ROLE,
        sourceConnection: viewedHub,
        access: "full",
        ...common,
      },
    ];
    for (const body of copies) {
      for (const route of ["/api/v1/connections", "/api/v1/connections/test"]) {
        const response = await t.call("POST", route, { body, token: nina });
        expect(response.statusCode, `${route} ${response.body}`).toBe(403);
        expect(response.json<{ error: { field?: string } }>().error.field).toBe("sourceConnection");
        expect(response.body).not.toContain("i-0000000000000001");
      }
    }
    const documents = await t.call("POST", "/api/v1/connections/setup-documents", {
      body: copies[0],
      token: nina,
    });
    expect(documents.statusCode).toBe(403);
    // production's ExternalId is hers to see, not to use.
    const withItsId = await t.call("POST", "/api/v1/connections/setup-documents", {
      body: { ...copies[0], externalId: productionExternalId },
      token: nina,
    });
    expect(withItsId.statusCode).toBe(403);
    expect(await connectionNames()).toEqual(namesBefore);
    expect(emulator.counters().byOperation["sts:AssumeRole"]).toBeUndefined();
  });

  it("lets a member chain only through a source she executes, and then AWS denies her copy its new ExternalId", async () => {
    const executedHub = await ambientWithGrants("hub-executed", [
      { principal: "org", role: "viewer" },
      { principal: "user:nina", role: "executor" },
    ]);
    const copy = {
      name: "prod-chained-copy",
      method: "assume_role",
      roleArn: ROLE,
      sourceConnection: executedHub,
      access: "full",
      ...common,
    };
    // Bringing production's ExternalId is refused: only one Switchboard issued her will do.
    for (const route of ["/api/v1/connections", "/api/v1/connections/test"]) {
      const stolen = await t.call("POST", route, {
        body: { ...copy, externalId: productionExternalId },
        token: nina,
      });
      expect(stolen.statusCode, stolen.body).toBe(400);
      expect(stolen.json<{ error: { field?: string } }>().error.field).toBe("externalId");
    }
    const draft = await t.call("POST", "/api/v1/connections/test", { body: copy, token: nina });
    expect(draft.statusCode, draft.body).toBe(200);
    expect(draft.json<TestResult>()).toMatchObject({ ok: false, error: { code: "AccessDenied" } });
    expect(draft.json<TestResult>().externalId).not.toBe(productionExternalId);

    const created = await t.call("POST", "/api/v1/connections", { body: copy, token: nina });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json<Conn>().externalId).not.toBe(productionExternalId);
    const test = (
      await t.call("POST", "/api/v1/connections/prod-chained-copy/test", { token: nina })
    ).json<TestResult>();
    expect(test).toMatchObject({ ok: false, error: { code: "AccessDenied" } });
    const instances = await run("aws.ec2.describeInstances", "prod-chained-copy", {}, nina);
    expect(instances.body).not.toContain("i-0000000000000001");
    expect(instances.json<RunResponse>().output).toBeUndefined();
    const secrets = await run(
      "aws.call",
      "prod-chained-copy",
      { service: "secretsmanager", operation: "ListSecrets", input: {} },
      nina,
    );
    expect(secrets.body).not.toContain("prod/db");
    expect(secrets.json<RunResponse>().output).toBeUndefined();

    // Nor can she turn her copy into one the server's identity assumes.
    const unsourced = await t.call("PATCH", "/api/v1/connections/prod-chained-copy", {
      body: { sourceConnection: null },
      token: nina,
    });
    expect(unsourced.statusCode, unsourced.body).toBe(403);
    expect(unsourced.json<{ error: { field?: string } }>().error.field).toBe("sourceConnection");
    const editDraft = await t.call("POST", "/api/v1/connections/test?replacing=prod-chained-copy", {
      body: { name: "prod-chained-copy", method: "assume_role", roleArn: ROLE, ...common },
      token: nina,
    });
    expect(editDraft.statusCode, editDraft.body).toBe(403);
    await t.call("DELETE", "/api/v1/connections/prod-chained-copy");
  });

  it("carries a draft's ExternalId into the saved connection, for the user it was issued to and only once", async () => {
    const body = { name: "sandbox", method: "assume_role", roleArn: SANDBOX_ROLE, ...common };
    // The role is set up before the connection is saved, with the ExternalId its draft got.
    const sandboxDraft = (await setupDocuments(body)).externalId ?? "";
    expect(sandboxDraft).toMatch(/^switchboard-[\w-]{32}$/);
    await trustExternalId(SANDBOX_ROLE, sandboxDraft);
    // The draft's documents and its test name that ExternalId when it is brought back.
    const docs = await setupDocuments({ ...body, externalId: sandboxDraft });
    expect(docs.externalId).toBe(sandboxDraft);
    expect(docs.trustPolicy.policy.Statement[0]?.Condition).toEqual({
      StringEquals: { "sts:ExternalId": sandboxDraft },
    });
    const draft = await t.call("POST", "/api/v1/connections/test", {
      body: { ...body, externalId: sandboxDraft },
    });
    expect(draft.json<TestResult>()).toMatchObject({
      ok: true,
      accountId: PROD,
      externalId: sandboxDraft,
    });
    // A draft without one gets a new one, which the role does not trust yet.
    const fresh = (await t.call("POST", "/api/v1/connections/test", { body })).json<TestResult>();
    expect(fresh.ok).toBe(false);
    expect(fresh.externalId).toMatch(/^switchboard-[\w-]{32}$/);
    expect(fresh.externalId).not.toBe(sandboxDraft);

    // Omar was not issued it; an admin's own draft is not his either.
    const omarsHub = await ambientWithGrants("hub-omar", [
      { principal: "user:omar", role: "executor" },
    ]);
    const asOmar = await t.call("POST", "/api/v1/connections", {
      body: { ...body, sourceConnection: omarsHub, externalId: sandboxDraft },
      token: omar,
    });
    expect(asOmar.statusCode, asOmar.body).toBe(400);
    expect(asOmar.json<{ error: { field?: string } }>().error.field).toBe("externalId");

    const saved = await t.call("POST", "/api/v1/connections", {
      body: { ...body, externalId: sandboxDraft },
    });
    expect(saved.statusCode, saved.body).toBe(201);
    expect(saved.json<Conn>().externalId).toBe(sandboxDraft);
    expect(
      (await t.call("POST", "/api/v1/connections/sandbox/test")).json<TestResult>(),
    ).toMatchObject({ ok: true, accountId: PROD });
    const again = await t.call("POST", "/api/v1/connections", {
      body: { ...body, name: "sandbox-2", externalId: sandboxDraft },
    });
    expect(again.statusCode, again.body).toBe(400);
    expect(again.json<{ error: { field?: string } }>().error.field).toBe("externalId");
    // An edit keeps the connection's own.
    const edit = await setupDocuments({ ...body, access: "view" });
    expect(edit.externalId).not.toBe(sandboxDraft);
    const editDocs = await t.call("POST", "/api/v1/connections/setup-documents?replacing=sandbox", {
      body: { ...body, access: "view" },
    });
    expect(editDocs.json<SetupDocuments>().externalId).toBe(sandboxDraft);
  });

  it("keeps a deleted user's draft ExternalId from a new user given the same name", async () => {
    const hub = await t.call("POST", "/api/v1/connections", {
      body: { name: "rita-hub", method: "ambient", access: "full", ...common },
    });
    expect(hub.statusCode, hub.body).toBe(201);
    await t.call("PUT", "/api/v1/connections/rita-hub/grants", {
      body: [{ principal: "org", role: "executor" }],
    });
    const body = {
      name: "rita-draft",
      method: "assume_role",
      roleArn: SANDBOX_ROLE,
      sourceConnection: "rita-hub",
      ...common,
    };
    const first = await signInAsMember(t, "rita");
    const draft = await setupDocuments(body, first);
    expect((await t.call("DELETE", "/api/v1/users/rita")).statusCode).toBe(204);
    const second = await signInAsMember(t, "rita");
    const saved = await t.call("POST", "/api/v1/connections", {
      body: { ...body, externalId: draft.externalId },
      token: second,
    });
    expect(saved.statusCode, saved.body).toBe(400);
    expect(saved.json<{ error: { field?: string } }>().error.field).toBe("externalId");
    await t.call("DELETE", "/api/v1/connections/rita-hub");
  });

  it("lets only one of many saves racing with the same draft ExternalId take it", async () => {
    const body = { method: "assume_role", roleArn: SANDBOX_ROLE, ...common };
    const draft = (await setupDocuments({ ...body, name: "racing" })).externalId ?? "";
    const saves = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.call("POST", "/api/v1/connections", {
          body: { ...body, name: `racing-${i}`, externalId: draft },
        }),
      ),
    );
    expect(saves.map((r) => r.statusCode).sort()).toEqual([201, 400, 400, 400, 400, 400, 400, 400]);
    const names = await connectionNames();
    expect(names.filter((n) => n.startsWith("racing-"))).toHaveLength(1);
    const winner = saves.find((r) => r.statusCode === 201)?.json<Conn>();
    expect(winner?.externalId).toBe(draft);
    await t.call("DELETE", `/api/v1/connections/${winner?.name ?? ""}`);
  });

  it("refuses an editor who aims a connection's source at another role without executing it, or one still on the org's old shared ExternalId", async () => {
    const hub = "hub-unexecuted";
    const hubCreated = await t.call("POST", "/api/v1/connections", {
      body: { name: hub, method: "ambient", access: "full", ...common },
    });
    expect(hubCreated.statusCode, hubCreated.body).toBe(201);
    const hubGrants = await t.call("PUT", `/api/v1/connections/${hub}/grants`, {
      body: [{ principal: "user:omar", role: "viewer" }],
    });
    expect(hubGrants.statusCode, hubGrants.body).toBe(200);
    for (const name of ["edited-own", "edited-legacy"]) {
      const created = await t.call("POST", "/api/v1/connections", {
        body: {
          name,
          method: "assume_role",
          roleArn: SANDBOX_ROLE,
          sourceConnection: hub,
          ...common,
        },
      });
      expect(created.statusCode, created.body).toBe(201);
      const granted = await t.call("PUT", `/api/v1/connections/${name}/grants`, {
        body: [{ principal: "user:omar", role: "editor" }],
      });
      expect(granted.statusCode, granted.body).toBe(200);
    }
    // As the upgrade left it: edited-legacy kept the org's one value, which production has too.
    const db = suite.handle().db;
    const legacy = await db
      .selectFrom("connections")
      .select("external_id_id")
      .where("name", "=", "edited-legacy")
      .executeTakeFirstOrThrow();
    await db
      .updateTable("external_ids")
      .set({ value: productionExternalId })
      .where("id", "=", legacy.external_id_id ?? "")
      .execute();

    // Omar edits both and sees their source but does not execute it: he may not aim it at production's role.
    const own = await t.call("PATCH", "/api/v1/connections/edited-own", {
      body: { roleArn: ROLE, access: "full" },
      token: omar,
    });
    expect(own.statusCode, own.body).toBe(403);
    expect(own.json<{ error: { field?: string } }>().error.field).toBe("sourceConnection");
    // Even someone who executes the source may not re-point one still on the shared value.
    const shared = await t.call("PATCH", "/api/v1/connections/edited-legacy", {
      body: { roleArn: ROLE, access: "full" },
    });
    expect(shared.statusCode, shared.body).toBe(400);
    const sharedError = shared.json<{ error: { field?: string; message: string } }>().error;
    expect(sharedError.field).toBe("roleArn");
    expect(sharedError.message).toMatch(/rotate its ExternalId/);
    const draft = await t.call("POST", "/api/v1/connections/test?replacing=edited-legacy", {
      body: {
        name: "edited-legacy",
        method: "assume_role",
        roleArn: ROLE,
        sourceConnection: hub,
        ...common,
      },
    });
    expect(draft.statusCode, draft.body).toBe(400);
    for (const name of ["edited-own", "edited-legacy"]) {
      const kept = (await t.call("GET", `/api/v1/connections/${name}`)).json<{ roleArn: string }>();
      expect(kept.roleArn).toBe(SANDBOX_ROLE);
    }
    // Once rotated, the admin (who executes the source) may re-point it.
    const rotated = await t.call("POST", "/api/v1/connections/edited-legacy/external-id/rotate");
    expect(rotated.statusCode, rotated.body).toBe(200);
    const repointed = await t.call("PATCH", "/api/v1/connections/edited-legacy", {
      body: { roleArn: ROLE },
    });
    expect(repointed.statusCode, repointed.body).toBe(200);
    for (const name of ["edited-own", "edited-legacy", hub]) {
      await t.call("DELETE", `/api/v1/connections/${name}`);
    }
  });

  it("rotates one connection's ExternalId for its editors, audited, and stops using credentials got with the old one", async () => {
    const body = { name: "rotating", method: "assume_role", roleArn: ROTATING_ROLE, ...common };
    const created = await t.call("POST", "/api/v1/connections", { body });
    const before = created.json<Conn>().externalId ?? "";
    await trustExternalId(ROTATING_ROLE, before);
    const listed = await run("aws.ec2.describeInstances", "rotating", {});
    expect(JSON.stringify(listed.json<RunResponse>().output)).toContain("i-0000000000000001");

    await t.call("PUT", "/api/v1/connections/rotating/grants", {
      body: [{ principal: "user:nina", role: "viewer" }],
    });
    const asViewer = await t.call("POST", "/api/v1/connections/rotating/external-id/rotate", {
      token: nina,
    });
    expect(asViewer.statusCode).toBe(403);
    const notAssumeRole = await t.call("POST", "/api/v1/connections/hub/external-id/rotate");
    expect(notAssumeRole.statusCode).toBe(400);

    const rotated = await t.call("POST", "/api/v1/connections/rotating/external-id/rotate");
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { externalId, warning } = rotated.json<{ externalId: string; warning: string }>();
    expect(externalId).toMatch(/^switchboard-[\w-]{32}$/);
    expect(externalId).not.toBe(before);
    expect(warning).toMatch(/trust policy/);
    expect((await t.call("GET", "/api/v1/connections/rotating")).json<Conn>().externalId).toBe(
      externalId,
    );
    // Other connections keep theirs.
    expect((await t.call("GET", "/api/v1/connections/production")).json<Conn>().externalId).toBe(
      productionExternalId,
    );
    // The cached credentials were forgotten: the next run assumes the role with the new value.
    const after = await run("aws.ec2.describeInstances", "rotating", {});
    expect(after.body).not.toContain("i-0000000000000001");
    const audit = (await t.call("GET", "/api/v1/audit?action=connection.external-id.rotate")).json<{
      items: { objectType: string; objectId: string; outcome: string }[];
    }>();
    expect(audit.items.filter((e) => e.objectId === "rotating")).toEqual([
      expect.objectContaining({ objectType: "connection", objectId: "rotating" }),
    ]);
  });
});
