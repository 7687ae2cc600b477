import {
  ActivateOrganizationsAccessCommand,
  CloudFormationClient,
} from "@aws-sdk/client-cloudformation";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { ENGINE_SCHEDULE_QUEUE } from "../../src/engine/queues.js";
import type { OrganizationTree } from "../../src/organizations/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { useEmulatorAsInstance } from "../helpers/demo-setup.js";
import { hubAccount } from "../helpers/worlds.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { HUB, MANAGEMENT, MANAGER } from "./organization-world.js";

const DELEGATE = "500000000000";
const DELEGATE_KEY = {
  id: "AKIADELEGATEDADMIN01",
  secret: "delegated-admin-secret-00000000000000000",
};
const MEMBERS = ["500000000001", "500000000002"];
const admin = (name: string, key: { id: string; secret: string }) => ({
  name,
  accessKeys: [{ id: key.id, secret: key.secret }],
  policies: ["arn:aws:iam::aws:policy/AdministratorAccess"],
});

function world(): WorldInput {
  return {
    regions: ["us-east-1"],
    optInRegions: ["ap-east-1"],
    accounts: [
      hubAccount(HUB),
      { id: MANAGEMENT, name: "management", users: [admin("org-admin", MANAGER)] },
      { id: DELEGATE, name: "security", users: [admin("stacksets", DELEGATE_KEY)] },
      // The first member enabled the opt-in region, the second did not.
      ...MEMBERS.map((id, i) => ({
        id,
        name: `member-${i + 1}`,
        enabledRegions: i === 0 ? ["ap-east-1"] : [],
      })),
    ],
    organization: {
      managementAccount: MANAGEMENT,
      accounts: [DELEGATE],
      units: [{ name: "Workloads", accounts: MEMBERS }],
      // Trusted access is off, as in a new organization.
      trustedServices: [],
      delegatedAdministrators: [
        {
          account: DELEGATE,
          servicePrincipal: "member.org.stacksets.cloudformation.amazonaws.com",
        },
      ],
    },
  };
}

describeEachDatabase("an organization through a delegated administrator of StackSets", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let restoreEnv: () => void = () => undefined;

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db, { dev: true });
    emulator = await startEmulator({ world: world() });
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
    });
    restoreEnv = useEmulatorAsInstance(emulator.url);
    await t.call("POST", "/api/v1/secrets", {
      body: { path: "keys/system/delegate", value: DELEGATE_KEY.secret },
    });
    const common = { regions: ["us-east-1"], endpoint: emulator.url };
    await t.call("POST", "/api/v1/connections", {
      body: {
        name: "security",
        method: "access_key",
        accessKeyId: DELEGATE_KEY.id,
        secretPath: "keys/system/delegate",
        access: "full",
        ...common,
      },
    });
    await t.call("POST", "/api/v1/connections", {
      body: { name: "hub", method: "ambient", ...common },
    });
    for (const name of ["security", "hub"]) {
      const tested = await t.call("POST", `/api/v1/connections/${name}/test`);
      expect(tested.json<{ ok: boolean }>().ok, tested.body).toBe(true);
    }
  });
  afterAll(async () => {
    restoreEnv();
    await t?.close();
    await emulator?.close();
  });

  it("reconciles on the engine's schedule, without anyone asking", async () => {
    const created = await t.call("POST", "/api/v1/organizations", {
      body: { name: "scheduled", connection: "security" },
    });
    expect(created.statusCode, created.body).toBe(201);
    const tree = (await t.call("GET", "/api/v1/organizations/scheduled")).json<OrganizationTree>();
    const root = tree.rootId;
    // A seconds field is refused (minute resolution); the test sends a slot as the scheduler does.
    const seconds = await t.call("POST", "/api/v1/organizations/scheduled/onboarding", {
      body: {
        ous: [root],
        regions: ["us-east-1"],
        method: "assume_role",
        hubConnection: "hub",
        reconcileSchedule: "*/2 * * * * *",
      },
    });
    expect(seconds.statusCode, seconds.body).toBe(400);
    expect(seconds.json<{ error: { field: string } }>().error.field).toBe("reconcileSchedule");
    // So is cron-parser's random H, which the scheduler would draw again at every pass.
    for (const reconcileSchedule of ["H * * * *", "0 0 L * *"]) {
      const random = await t.call("POST", "/api/v1/organizations/scheduled/onboarding", {
        body: {
          ous: [root],
          regions: ["us-east-1"],
          method: "assume_role",
          hubConnection: "hub",
          reconcileSchedule,
        },
      });
      expect(random.statusCode, reconcileSchedule).toBe(400);
      expect(random.json<{ error: { field: string } }>().error.field).toBe("reconcileSchedule");
    }
    const onboarded = await t.call("POST", "/api/v1/organizations/scheduled/onboarding", {
      body: {
        ous: [root],
        regions: ["us-east-1"],
        method: "assume_role",
        hubConnection: "hub",
        reconcileSchedule: "*/15 * * * *",
      },
    });
    expect(onboarded.statusCode, onboarded.body).toBe(201);
    const { id } = await suite
      .handle()
      .db.selectFrom("organizations")
      .select("id")
      .where("name", "=", "scheduled")
      .executeTakeFirstOrThrow();
    await t.engine.deps.queue.send(ENGINE_SCHEDULE_QUEUE, {
      key: `organization:${id}`,
      slot: new Date().toISOString(),
      kind: "reconcile",
      organizationId: id,
    });
    for (;;) {
      const o = (await t.call("GET", "/api/v1/organizations/scheduled")).json<OrganizationTree>()
        .organization;
      if (o.lastSync !== null && o.lastSync.status !== "running") break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const audit = await t.call("GET", "/api/v1/audit?objectType=organization");
    expect(audit.body).not.toContain("organization.sync");
    // Deleting the organization stops its schedule; its member connections stay.
    expect((await t.call("DELETE", "/api/v1/organizations/scheduled")).statusCode).toBe(204);
    const member = await t.call("GET", `/api/v1/connections/scheduled-${MEMBERS[0] ?? ""}`);
    expect(member.statusCode).toBe(200);
  });

  it("calls StackSets as DELEGATED_ADMIN, explains trusted access being off, deploys once it is on, and records regions not enabled", async () => {
    const created = await t.call("POST", "/api/v1/organizations", {
      body: { name: "corp", connection: "security" },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json<{ callAs: string }>().callAs).toBe("DELEGATED_ADMIN");
    const tree = (await t.call("GET", "/api/v1/organizations/corp")).json<OrganizationTree>();
    const workloads = tree.ous.find((ou) => ou.path === "Root/Workloads")?.id ?? "";
    const onboarded = await t.call("POST", "/api/v1/organizations/corp/onboarding", {
      body: {
        ous: [workloads],
        regions: ["us-east-1", "ap-east-1"],
        method: "assume_role",
        hubConnection: "hub",
      },
    });
    expect(onboarded.statusCode, onboarded.body).toBe(201);

    const refused = await t.call("POST", "/api/v1/organizations/corp/deploy", {
      body: { region: "us-east-1" },
    });
    expect(refused.statusCode, refused.body).toBe(502);
    const error = refused.json<{ error: { details: { code: string; fix: string }[] } }>().error;
    expect(error.details[0]?.code).toBe("TRUSTED_ACCESS_NOT_ENABLED");
    expect(error.details[0]?.fix).toContain(
      "in the management account, call CloudFormation ActivateOrganizationsAccess",
    );

    // The management account's administrator turns it on, as the fix says.
    await new CloudFormationClient({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials: { accessKeyId: MANAGER.id, secretAccessKey: MANAGER.secret },
    }).send(new ActivateOrganizationsAccessCommand({}));
    const deployed = await t.call("POST", "/api/v1/organizations/corp/deploy", {
      body: { region: "us-east-1" },
    });
    expect(deployed.statusCode, deployed.body).toBe(202);
    let after: OrganizationTree;
    for (;;) {
      after = (await t.call("GET", "/api/v1/organizations/corp")).json<OrganizationTree>();
      const o = after.organization;
      if (o.deployment?.status !== "RUNNING" && o.lastSync?.status === "succeeded") break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(after.organization.deployment?.status).toBe("SUCCEEDED");
    for (const id of MEMBERS)
      expect(
        after.accounts.find((a) => a.accountId === id),
        id,
      ).toMatchObject({
        connection: `corp-${id}`,
        stackInstance: { status: "SUCCEEDED" },
        ledger: { assumable: true },
      });
    // The ledger knows which region an account has not enabled.
    const [enabled, notEnabled] = MEMBERS.map((id) =>
      after.accounts.find((a) => a.accountId === id),
    );
    expect(enabled?.ledger.blockedRegions).toEqual([]);
    expect(notEnabled?.ledger.blockedRegions).toEqual([
      { region: "ap-east-1", reason: "opt_in", seenAt: expect.any(String) as unknown },
    ]);
  });
});
