import { afterAll, beforeAll, expect, it } from "vitest";
import type { Emulator } from "../../emulator/index.js";
import { organizationControl } from "../../emulator/organization-control.js";
import type { OrganizationTree } from "../../src/organizations/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import type { TestApp } from "../helpers/test-app.js";
import {
  addManagementConnections,
  ok,
  organizationApi,
  startOrganizationWorkbench,
} from "./org-test-kit.js";
import { MANAGEMENT, MEMBERS, REGIONS, organizationWorld, ouOf } from "./organization-world.js";

interface FanOut {
  results: {
    connection: string;
    region: string;
    status: string;
    error?: { code: string; message: string };
  }[];
}

describeEachDatabase("AWS Organizations against the emulator", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let restoreEnv: () => void = () => undefined;
  /** The organization right after onboarding, deployment and the reconcile that followed. */
  let afterDeploy: OrganizationTree;
  let onboarded: { created: { accountId: string; connection: string }[] };

  const { tree, waitFor, sync } = organizationApi(() => t).of("acme");

  const account = (o: OrganizationTree, id: string) => {
    const found = o.accounts.find((a) => a.accountId === id);
    if (found === undefined) throw new Error(`account ${id} is not listed`);
    return found;
  };

  beforeAll(async () => {
    const bench = await startOrganizationWorkbench(suite.handle().db, organizationWorld());
    ({ t, emulator, restoreEnv } = bench);
    await addManagementConnections(bench);
    ok(
      await t.call("POST", "/api/v1/organizations", {
        body: { name: "acme", connection: "mgmt", grants: [{ principal: "org", role: "viewer" }] },
      }),
    );
    const before = await tree();
    const ous = before.ous.filter((ou) => ou.parentId !== null).map((ou) => ou.id);
    const onboarding = await t.call("POST", "/api/v1/organizations/acme/onboarding", {
      body: { ous, regions: REGIONS, method: "assume_role", hubConnection: "hub" },
    });
    ok(onboarding);
    onboarded = onboarding.json();
    const deploy = await t.call("POST", "/api/v1/organizations/acme/deploy", {
      body: { region: "us-east-1" },
    });
    ok(deploy, 202);
    afterDeploy = await waitFor(
      (o) =>
        o.organization.deployment?.status !== "RUNNING" &&
        o.organization.lastSync?.status === "succeeded",
    );
  });
  afterAll(async () => {
    restoreEnv();
    await t?.close();
    await emulator?.close();
  });

  it("onboards 3 OUs and 40 accounts: 40 member connections, tagged with their OU path, that all pass their test", async () => {
    expect(afterDeploy.organization).toMatchObject({
      callAs: "SELF",
      managementAccountId: MANAGEMENT,
      deployment: { status: "SUCCEEDED", error: null },
    });
    expect(afterDeploy.ous.map((ou) => ou.path).sort()).toEqual([
      "Root",
      "Root/Dev",
      "Root/Prod",
      "Root/Security",
    ]);
    expect(onboarded.created).toHaveLength(40);
    const members = afterDeploy.accounts.filter((a) => a.accountId !== MANAGEMENT);
    expect(members.map((a) => a.accountId).sort()).toEqual([...MEMBERS].sort());
    for (const [i, id] of MEMBERS.entries()) {
      const a = account(afterDeploy, id);
      expect(a, id).toMatchObject({
        connection: `acme-${id}`,
        ouPath: `Root/${ouOf(i)}`,
        inScope: true,
        stackInstance: { status: "SUCCEEDED" },
        ledger: { assumable: true, suspended: false, blockedRegions: [] },
      });
    }
    // The management account is listed, not onboarded by the StackSet, and says so.
    expect(account(afterDeploy, MANAGEMENT)).toMatchObject({ management: true, connection: null });

    const connections = (await t.call("GET", "/api/v1/connections"))
      .json<{
        items: {
          name: string;
          accountId: string | null;
          externalId?: string;
          tags: Record<string, string>;
          sourceConnection?: string;
          lastTest: { ok: boolean } | null;
        }[];
      }>()
      .items.filter((c) => c.tags.organization === "acme");
    expect(connections).toHaveLength(40);
    for (const c of connections) {
      expect(c.lastTest?.ok, c.name).toBe(true);
      expect(c.accountId).toBe(c.tags.account);
      expect(c.sourceConnection).toBe("hub");
      expect(c.tags["ou-path"]).toMatch(/^Root\/(Prod|Dev|Security)$/);
    }
    // One ExternalId for the onboarding: the StackSet's one template is the same everywhere.
    expect(new Set(connections.map((c) => c.externalId)).size).toBe(1);
    // A direct test of a member connection passes too.
    const direct = await t.call("POST", `/api/v1/connections/acme-${MEMBERS[0] ?? ""}/test`);
    expect(direct.json<{ ok: boolean }>().ok, direct.body).toBe(true);
  });

  it("gives an account that joins an onboarded OU its role and its connection on the next reconcile", async () => {
    const joiner = "300000000001";
    const ou = afterDeploy.ous.find((u) => u.path === "Root/Dev");
    await organizationControl.join(emulator.url, {
      id: joiner,
      name: "joiner",
      parentId: ou?.id ?? "",
    });
    const after = await sync();
    expect(after.organization.lastSync?.changes?.joined).toContain(joiner);
    expect(account(after, joiner)).toMatchObject({
      connection: `acme-${joiner}`,
      ouPath: "Root/Dev",
      stackInstance: { status: "SUCCEEDED" },
      ledger: { assumable: true },
    });
    const audit = await t.call("GET", "/api/v1/audit?objectType=organization");
    expect(audit.body).toContain("organization.account.join");
    expect(audit.body).toContain("organization.account.connect");
  });

  it("marks a suspended account, and deletes neither it nor its connection", async () => {
    const suspended = MEMBERS[30] ?? "";
    await organizationControl.setState(emulator.url, suspended, "SUSPENDED");
    const after = await sync();
    expect(after.organization.lastSync?.changes?.suspended).toContain(suspended);
    expect(account(after, suspended)).toMatchObject({
      state: "SUSPENDED",
      membership: "member",
      connection: `acme-${suspended}`,
      ledger: { suspended: true },
    });
    const connection = await t.call("GET", `/api/v1/connections/acme-${suspended}`);
    expect(connection.statusCode).toBe(200);
    const audit = await t.call("GET", "/api/v1/audit?objectType=organization");
    expect(audit.body).toContain("organization.account.state");
  });

  it("lists an account whose role is missing with the explained error, while the others work", async () => {
    const missing = MEMBERS[33] ?? "";
    // The account moves to an OU the StackSet does not target: its automatic deployment removes
    // the stack instance, and with it the role (the account and its connection stay).
    const sandbox = await organizationControl.createUnit(emulator.url, "Sandbox");
    await organizationControl.move(emulator.url, missing, { parentId: sandbox.Id });
    const after = await sync();
    const broken = account(after, missing);
    expect(broken).toMatchObject({ ouPath: "Root/Sandbox", connection: `acme-${missing}` });
    expect(broken.stackInstance.status).not.toBe("SUCCEEDED");
    expect(broken.ledger.assumable).toBe(false);
    expect(broken.ledger.lastError?.code).toBe("AccessDenied");
    expect(broken.ledger.lastError?.message).toContain(
      `arn:aws:iam::${missing}:role/switchboard-member`,
    );
    expect(broken.ledger.lastError?.fix).toContain(
      `the member role is likely missing: the StackSet Switchboard-acme has no instance in account ${missing} (in Root/Sandbox)`,
    );
    expect(broken.ledger.lastErrorAt).not.toBeNull();
    // The others (all but those the other tests changed) still work.
    for (const id of MEMBERS.slice(0, 30))
      expect(account(after, id).ledger.assumable, id).toBe(true);
  });

  it("explains that a member account's connection is neither the management account nor a delegated administrator", async () => {
    const member = MEMBERS[1] ?? "";
    const refused = await t.call("POST", "/api/v1/organizations", {
      body: { name: "from-member", connection: `acme-${member}` },
    });
    expect(refused.statusCode, refused.body).toBe(502);
    const { error } = refused.json<{
      error: { code: string; message: string; details: { code: string; fix: string }[] };
    }>();
    expect(error.code).toBe("AWS_ERROR");
    expect(error.details[0]?.code).toBe("NOT_ORGANIZATION_ADMIN");
    expect(error.details[0]?.fix).toContain(
      `register-delegated-administrator --account-id ${member} --service-principal member.org.stacksets.cloudformation.amazonaws.com`,
    );
  });

  it("keeps the onboarding's shared ExternalId to its member roles: a member connection is neither re-pointed nor rotated alone", async () => {
    const name = `acme-${MEMBERS[2] ?? ""}`;
    const repointed = await t.call("PATCH", `/api/v1/connections/${name}`, {
      body: { roleArn: `arn:aws:iam::${MEMBERS[3] ?? ""}:role/switchboard-member` },
    });
    expect(repointed.statusCode, repointed.body).toBe(400);
    expect(repointed.json<{ error: { field: string } }>().error.field).toBe("roleArn");
    const rotated = await t.call("POST", `/api/v1/connections/${name}/external-id/rotate`);
    expect(rotated.statusCode, rotated.body).toBe(400);
    expect(rotated.body).toContain("cannot be rotated for one connection");
    const tested = await t.call("POST", `/api/v1/connections/${name}/test`);
    expect(tested.json<{ ok: boolean }>().ok, tested.body).toBe(true);
  });

  it("refuses every organization route to a member who is not an org admin, before any AWS call", async () => {
    const token = await signInAsMember(t, "member-of-acme");
    const calls: [Parameters<TestApp["call"]>[0], string, unknown][] = [
      ["GET", "/api/v1/organizations", undefined],
      ["GET", "/api/v1/organizations/acme", undefined],
      ["POST", "/api/v1/organizations", { name: "mine", connection: "mgmt" }],
      ["GET", "/api/v1/organizations/acme/template", undefined],
      ["POST", "/api/v1/organizations/acme/deploy", { region: "us-east-1" }],
      ["POST", "/api/v1/organizations/acme/sync", undefined],
      ["DELETE", "/api/v1/organizations/acme", undefined],
    ];
    for (const [method, url, body] of calls) {
      const refused = await t.call(method, url, { token, ...(body === undefined ? {} : { body }) });
      expect(refused.statusCode, `${method} ${url}`).toBe(403);
    }
    expect((await tree()).organization.name).toBe("acme");
    // The organization's grants (org: viewer) were copied onto its member connections.
    const member = await t.call("GET", `/api/v1/connections/acme-${MEMBERS[0] ?? ""}`, { token });
    expect(member.statusCode, member.body).toBe(200);
    expect(member.json<{ myRoles: string[] }>().myRoles).toEqual(["viewer"]);
  });

  it("skips in a fan-out what the ledger knows is unreachable, and says why", async () => {
    const suspended = MEMBERS[36] ?? "";
    await organizationControl.setState(emulator.url, suspended, "SUSPENDED");
    await sync();
    const run = await t.call("POST", "/api/v1/actions/aws.sts.getCallerIdentity/run", {
      body: { connections: { tag: "organization=acme" }, regions: ["us-east-1"], input: {} },
    });
    expect(run.statusCode, run.body).toBe(200);
    const { results } = run.json<FanOut>();
    const skipped = results.find((r) => r.connection === `acme-${suspended}`);
    expect(skipped).toMatchObject({
      status: "skipped",
      error: { code: "ACCOUNT_UNREACHABLE" },
    });
    expect(skipped?.error?.message).toContain(
      `account ${suspended} of organization acme is SUSPENDED`,
    );
    const reachable = results.find((r) => r.connection === `acme-${MEMBERS[0] ?? ""}`);
    expect(reachable?.status).toBe("succeeded");
  });
});
