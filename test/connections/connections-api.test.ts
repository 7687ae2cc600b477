import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const ROLE = "arn:aws:iam::222222222222:role/switchboard-read";

interface Conn {
  name: string;
  method: string;
  access: string;
  externalId?: string;
  webIdentity?: { issuer: string; audience: string; subject: string };
  myRoles: string[];
  sourceConnection?: string;
}

describeEachDatabase("connections API", (suite) => {
  let t: TestApp;
  let counter = 0;
  /** A name no other test uses, so each test owns what it creates. */
  const unique = (base: string) => `${base}-${++counter}`;

  async function create(body: { name: string; method: string } & Record<string, unknown>) {
    const response = await t.call("POST", "/api/v1/connections", { body });
    expect(response.statusCode, response.body).toBe(201);
    return body.name;
  }
  const createAmbient = (name = unique("hub")) => create({ name, method: "ambient" });
  const createAccessKey = (name = unique("keys")) =>
    create({
      name,
      method: "access_key",
      accessKeyId: "AKIAEXAMPLEPRODCI01",
      secretPath: "keys/system/prod-key",
    });
  const createAssumeRole = (name = unique("prod")) =>
    create({
      name,
      method: "assume_role",
      roleArn: ROLE,
      regions: ["eu-west-1"],
      tags: { env: "prod" },
    });
  const createWebIdentity = (name = unique("web")) =>
    create({
      name,
      method: "web_identity",
      roleArn: "arn:aws:iam::222222222222:role/switchboard-web",
    });

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    // Read-only for every test: the secret access_key connections point at.
    await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/prod-key", value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
    });
  });
  afterAll(() => t.close());

  it("creates each method with read access by default and the generated ExternalId", async () => {
    // One prefix, so the four sort in this order among whatever else the org has.
    const prefix = unique("created");
    const [hub, keys, prod, web] = ["hub", "keys", "prod", "web"].map((m) => `${prefix}-${m}`);
    const bodies = [
      { name: hub, method: "ambient" },
      {
        name: keys,
        method: "access_key",
        accessKeyId: "AKIAEXAMPLEPRODCI01",
        secretPath: "keys/system/prod-key",
      },
      {
        name: prod,
        method: "assume_role",
        roleArn: ROLE,
        sourceConnection: hub,
        regions: ["eu-west-1"],
        tags: { env: "prod" },
      },
      {
        name: web,
        method: "web_identity",
        roleArn: "arn:aws:iam::222222222222:role/switchboard-web",
      },
    ];
    for (const body of bodies) {
      const response = await t.call("POST", "/api/v1/connections", { body });
      expect(response.statusCode, response.body).toBe(201);
    }
    const shownProd = (await t.call("GET", `/api/v1/connections/${prod}`)).json<Conn>();
    expect(shownProd).toMatchObject({
      method: "assume_role",
      access: "read",
      sourceConnection: hub,
      myRoles: ["viewer", "editor", "executor"],
    });
    expect(shownProd.externalId).toMatch(/^switchboard-[\w-]{32}$/);
    const shownWeb = (await t.call("GET", `/api/v1/connections/${web}`)).json<Conn>();
    expect(shownWeb.webIdentity).toEqual({
      issuer: "https://switchboard.test",
      audience: "default/app-id/switchboard.aws.connector",
      subject: `switchboard:connection/${web}`,
    });
    const list = (await t.call("GET", "/api/v1/connections")).json<{ items: Conn[] }>();
    expect(list.items.map((c) => c.name).filter((name) => name.startsWith(`${prefix}-`))).toEqual([
      hub,
      keys,
      prod,
      web,
    ]);
  });

  it("refuses a user-chosen ExternalId, an unknown secret, a bad role ARN and a name the UI's pages use, naming the field", async () => {
    const cases: [object, string][] = [
      [{ name: "x1", method: "assume_role", roleArn: ROLE, externalId: "mine" }, "externalId"],
      [
        {
          name: "x2",
          method: "access_key",
          accessKeyId: "AKIAEXAMPLEPRODCI01",
          secretPath: "keys/system/nope",
        },
        "secretPath",
      ],
      [{ name: "x3", method: "assume_role", roleArn: "arn:aws:iam::12:role/x" }, "roleArn"],
      [{ name: "x4", method: "telepathy" }, "method"],
      [{ name: "new", method: "assume_role", roleArn: ROLE }, "name"],
    ];
    for (const [body, field] of cases) {
      const response = await t.call("POST", "/api/v1/connections", { body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json<{ error: { field: string } }>().error.field).toBe(field);
    }
  });

  it("refuses a role chain that loops", async () => {
    const hub = await createAmbient();
    const a = await create({
      name: unique("a"),
      method: "assume_role",
      roleArn: ROLE,
      sourceConnection: hub,
    });
    const b = await create({
      name: unique("b"),
      method: "assume_role",
      roleArn: ROLE,
      sourceConnection: a,
    });
    const loop = await t.call("PATCH", `/api/v1/connections/${a}`, {
      body: { sourceConnection: b },
    });
    expect(loop.statusCode).toBe(400);
    expect(loop.json<{ error: { message: string; field: string } }>().error).toMatchObject({
      field: "sourceConnection",
    });
    expect(
      (await t.call("PATCH", `/api/v1/connections/${a}`, { body: { sourceConnection: a } }))
        .statusCode,
    ).toBe(400);
    expect((await t.call("DELETE", `/api/v1/connections/${a}`)).statusCode).toBe(409);
  });

  it("lets only an org admin point a connection at an endpoint, which an editor's edit keeps", async () => {
    // A web identity token, or a signature AWS accepts again for minutes, goes to the endpoint.
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: ["*.amazonaws.com", "*.example.test"] },
    });
    const memberName = unique("mona");
    const mona = await signInAsMember(t, memberName);
    const refused = await t.call("POST", "/api/v1/connections", {
      token: mona,
      body: {
        name: unique("own-endpoint"),
        method: "web_identity",
        roleArn: "arn:aws:iam::222222222222:role/switchboard-web",
        endpoint: "https://sts.example.test",
      },
    });
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json<{ error: { field?: string } }>().error.field).toBe("endpoint");
    const drafted = await t.call("POST", "/api/v1/connections/setup-documents", {
      token: mona,
      body: {
        name: unique("own-draft"),
        method: "web_identity",
        roleArn: "arn:aws:iam::222222222222:role/switchboard-web",
        endpoint: "https://sts.example.test",
      },
    });
    expect(drafted.statusCode, drafted.body).toBe(403);

    // An admin sets it; an editor's edits keep it, and cannot move it to a host only a wildcard
    // allows.
    const name = unique("admin-endpoint");
    const created = await t.call("POST", "/api/v1/connections", {
      body: {
        name,
        method: "assume_role",
        roleArn: ROLE,
        regions: ["eu-west-1"],
        endpoint: "https://sts.example.test",
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    await t.call("PUT", `/api/v1/connections/${name}/grants`, {
      body: [{ principal: `user:${memberName}`, role: "editor" }],
    });
    const kept = await t.call("PATCH", `/api/v1/connections/${name}`, {
      token: mona,
      body: { regions: ["eu-west-1", "us-east-1"], endpoint: "https://sts.example.test" },
    });
    expect(kept.statusCode, kept.body).toBe(200);
    const moved = await t.call("PATCH", `/api/v1/connections/${name}`, {
      token: mona,
      body: { endpoint: "https://sts.amazonaws.com" },
    });
    expect(moved.statusCode, moved.body).toBe(403);
    const shown = await t.call("GET", `/api/v1/connections/${name}`);
    expect(shown.json<{ endpoint: string | null }>().endpoint).toBe("https://sts.example.test");
  });

  it("hides a connection from a member without a grant, and grants viewer, editor and executor", async () => {
    const prod = await createAssumeRole();
    // A team and members of this test's own, so no other test's grant can show them anything.
    const team = unique("sre");
    const ninaName = unique("nina");
    const omarName = unique("omar");
    const nina = await signInAsMember(t, ninaName, [team]);
    const omar = await signInAsMember(t, omarName);
    expect((await t.call("GET", `/api/v1/connections/${prod}`, { token: nina })).statusCode).toBe(
      404,
    );
    expect(
      (await t.call("GET", "/api/v1/connections", { token: nina })).json<{ items: unknown[] }>()
        .items,
    ).toEqual([]);
    const set = await t.call("PUT", `/api/v1/connections/${prod}/grants`, {
      body: [{ principal: `team:${team}`, role: "viewer" }],
    });
    expect(set.statusCode).toBe(200);
    const seen = (await t.call("GET", `/api/v1/connections/${prod}`, { token: nina })).json<Conn>();
    expect(seen.myRoles).toEqual(["viewer"]);
    expect(
      (
        await t.call("PATCH", `/api/v1/connections/${prod}`, {
          token: nina,
          body: { access: "full" },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await t.call("POST", `/api/v1/connections/${prod}/test`, { token: nina })).statusCode,
    ).toBe(403);
    expect((await t.call("GET", `/api/v1/connections/${prod}`, { token: omar })).statusCode).toBe(
      404,
    );
    await t.call("PUT", `/api/v1/connections/${prod}/grants`, {
      body: [
        { principal: "org", role: "viewer" },
        { principal: `user:${ninaName}`, role: "executor" },
      ],
    });
    expect(
      (await t.call("GET", `/api/v1/connections/${prod}`, { token: omar })).json<Conn>().myRoles,
    ).toEqual(["viewer"]);
    expect(
      (await t.call("GET", `/api/v1/connections/${prod}`, { token: nina })).json<Conn>().myRoles,
    ).toEqual(["viewer", "executor"]);
    const unknown = await t.call("PUT", `/api/v1/connections/${prod}/grants`, {
      body: [{ principal: "user:ghost", role: "viewer" }],
    });
    expect(unknown.statusCode).toBe(400);
  });

  it("lets a viewer request edit access, and an admin grant or decline it", async () => {
    const prod = await createAssumeRole();
    const omarName = unique("omar");
    const omar = await signInAsMember(t, omarName);
    const viewer = await t.call("PUT", `/api/v1/connections/${prod}/grants`, {
      body: [{ principal: `user:${omarName}`, role: "viewer" }],
    });
    expect(viewer.statusCode).toBe(200);
    const asked = await t.call("POST", `/api/v1/connections/${prod}/access-requests`, {
      token: omar,
      body: { reason: "rotate the role" },
    });
    expect(asked.statusCode).toBe(201);
    const twice = await t.call("POST", `/api/v1/connections/${prod}/access-requests`, {
      token: omar,
      body: { reason: "again" },
    });
    expect(twice.statusCode).toBe(409);
    const pending = (await t.call("GET", "/api/v1/access-requests?status=pending")).json<{
      items: { id: string; connection: string; requester: string }[];
    }>();
    const forProd = pending.items.filter((r) => r.connection === prod);
    expect(forProd.map((r) => r.requester)).toEqual([`user:${omarName}`]);
    expect(
      (
        await t.call("POST", `/api/v1/access-requests/${forProd[0]?.id}/grant`, {
          token: omar,
        })
      ).statusCode,
    ).toBe(403);
    const granted = await t.call("POST", `/api/v1/access-requests/${forProd[0]?.id}/grant`);
    expect(granted.json()).toMatchObject({ status: "granted", decidedBy: "user:admin" });
    const mine = (await t.call("GET", "/api/v1/access-requests", { token: omar })).json<{
      items: { status: string }[];
    }>();
    expect(mine.items.map((r) => r.status)).toEqual(["granted"]);
    expect(
      (await t.call("GET", `/api/v1/connections/${prod}`, { token: omar })).json<Conn>().myRoles,
    ).toEqual(["viewer", "editor"]);
    expect(
      (
        await t.call("PATCH", `/api/v1/connections/${prod}`, {
          token: omar,
          body: { tags: { env: "prod", owner: omarName } },
        })
      ).statusCode,
    ).toBe(200);
  });

  it("generates the trust policy with the ExternalId, and with the OIDC aud and sub", async () => {
    const prodName = await createAssumeRole();
    const webName = await createWebIdentity();
    const keysName = await createAccessKey();
    const prod = (await t.call("GET", `/api/v1/connections/${prodName}`)).json<Conn>();
    const trust = (await t.call("GET", `/api/v1/connections/${prodName}/trust-policy`)).json<{
      policy: { Statement: Record<string, unknown>[] };
      notes: string[];
    }>();
    expect(trust.policy.Statement[0]).toMatchObject({
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": prod.externalId } },
    });
    expect(trust.notes[0]).toMatch(/Replace the principal/);
    const web = (await t.call("GET", `/api/v1/connections/${webName}/trust-policy`)).json<{
      policy: { Statement: Record<string, unknown>[] };
    }>();
    expect(web.policy.Statement[0]).toEqual({
      Sid: "SwitchboardWebIdentity",
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::222222222222:oidc-provider/switchboard.test" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          "switchboard.test:aud": "default/app-id/switchboard.aws.connector",
          "switchboard.test:sub": `switchboard:connection/${webName}`,
        },
      },
    });
    expect((await t.call("GET", `/api/v1/connections/${keysName}/trust-policy`)).statusCode).toBe(
      400,
    );
  });

  it("generates a CloudFormation template that creates the role and the OIDC provider", async () => {
    const web = await createWebIdentity();
    const template = (await t.call("GET", `/api/v1/connections/${web}/setup`)).json<{
      AWSTemplateFormatVersion: string;
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      Outputs: Record<string, { Value: unknown }>;
    }>();
    expect(template.AWSTemplateFormatVersion).toBe("2010-09-09");
    const types = Object.values(template.Resources)
      .map((r) => r.Type)
      .sort();
    expect(types).toEqual(["AWS::IAM::OIDCProvider", "AWS::IAM::Role"]);
    const role = template.Resources.SwitchboardRole?.Properties ?? {};
    expect(role).toMatchObject({
      RoleName: "switchboard-web",
      Path: "/",
      MaxSessionDuration: 3600,
    });
    expect(role.ManagedPolicyArns).toEqual([
      { "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess" },
    ]);
    const trust = role.AssumeRolePolicyDocument as { Statement: { Principal: unknown }[] };
    expect(trust.Statement[0]?.Principal).toEqual({
      Federated: { Ref: "SwitchboardOidcProvider" },
    });
    // Every Ref and GetAtt names a resource of the template, as cfn-lint checks.
    const refs =
      JSON.stringify(template).match(/"(Ref|Fn::GetAtt)":\s*(\["?|")([A-Za-z0-9]+)/g) ?? [];
    for (const ref of refs)
      expect(Object.keys(template.Resources)).toContain(/([A-Za-z0-9]+)$/.exec(ref)?.[1]);
    expect(template.Resources.SwitchboardOidcProvider?.Properties).toEqual({
      Url: "https://switchboard.test",
      ClientIdList: ["default/app-id/switchboard.aws.connector"],
    });
  });

  it("asks for confirmation before renaming a web identity connection", async () => {
    const web = await createWebIdentity();
    const refused = await t.call("PATCH", `/api/v1/connections/${web}`, {
      body: { name: `${web}2` },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ error: { message: string } }>().error.message).toContain(
      `switchboard:connection/${web} to switchboard:connection/${web}2`,
    );
    const renamed = await t.call("PATCH", `/api/v1/connections/${web}`, {
      body: { name: `${web}2`, confirmRename: true },
    });
    expect(renamed.json<Conn>().webIdentity?.subject).toBe(`switchboard:connection/${web}2`);
  });

  it("rotates a connection's ExternalId with a warning, and audits connection changes", async () => {
    // Every kind of connection change this test expects in the audit trail, on a connection of its own.
    const prod = await createAssumeRole();
    expect(
      (await t.call("PATCH", `/api/v1/connections/${prod}`, { body: { tags: { env: "staging" } } }))
        .statusCode,
    ).toBe(200);
    const requesterName = unique("omar");
    const requester = await signInAsMember(t, requesterName);
    const piaName = unique("pia");
    const pia = await signInAsMember(t, piaName);
    const grants = await t.call("PUT", `/api/v1/connections/${prod}/grants`, {
      body: [
        { principal: `user:${requesterName}`, role: "viewer" },
        { principal: `user:${piaName}`, role: "viewer" },
      ],
    });
    expect(grants.statusCode).toBe(200);
    const asked = await t.call("POST", `/api/v1/connections/${prod}/access-requests`, {
      token: requester,
      body: { reason: "rotate the role" },
    });
    expect(asked.statusCode, asked.body).toBe(201);
    const granted = await t.call(
      "POST",
      `/api/v1/access-requests/${asked.json<{ id: string }>().id}/grant`,
    );
    expect(granted.statusCode, granted.body).toBe(200);
    // An access_key connection too, whose secret the audit trail must never show.
    await createAccessKey();

    const before = (await t.call("GET", `/api/v1/connections/${prod}`)).json<Conn>();
    const rotated = (await t.call("POST", `/api/v1/connections/${prod}/external-id/rotate`)).json<{
      externalId: string;
      warning: string;
    }>();
    expect(rotated.externalId).not.toBe(before.externalId);
    expect(rotated.warning).toMatch(/trust policy/);
    // Only its editors may, not its viewers.
    expect(
      (await t.call("POST", `/api/v1/connections/${prod}/external-id/rotate`, { token: pia }))
        .statusCode,
    ).toBe(403);
    const audit = (
      await t.call("GET", `/api/v1/audit?action=connection.*&objectId=${prod}&limit=500`)
    ).json<{
      items: { action: string }[];
    }>();
    expect(new Set(audit.items.map((e) => e.action))).toEqual(
      new Set([
        "connection.create",
        "connection.update",
        "connection.grants.set",
        "connection.access-request.create",
        "connection.access-request.grant",
        "connection.external-id.rotate",
      ]),
    );
    const all = await t.call("GET", "/api/v1/audit?action=connection.*&limit=500");
    expect(all.body).toContain("connection.create");
    expect(all.body).not.toContain("wJalrXUtnFEMI");
  });
  it("refuses an endpoint outside the outbound allow-list when saving", async () => {
    const response = await t.call("POST", "/api/v1/connections", {
      body: {
        name: "local",
        method: "access_key",
        accessKeyId: "AKIAEXAMPLEPRODCI01",
        secretPath: "keys/system/prod-key",
        endpoint: "http://127.0.0.1:4566",
      },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: "OUTBOUND_REFUSED",
    });
  });
});
