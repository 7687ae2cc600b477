import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { organizationControl } from "../../emulator/organization-control.js";
import type { OrganizationTree } from "../../src/organizations/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { useEmulatorAsInstance } from "../helpers/demo-setup.js";
import { signInAsMember } from "../helpers/member.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { hubAccount } from "../helpers/worlds.js";
import { HUB, MANAGEMENT, MANAGER, OU_NAMES, REGIONS } from "./organization-world.js";

const MEMBERS = ["400000000001", "400000000002", "400000000003"];

function world(): WorldInput {
  return {
    regions: REGIONS,
    accounts: [
      hubAccount(HUB),
      {
        id: MANAGEMENT,
        name: "management",
        users: [
          {
            name: "org-admin",
            accessKeys: [{ id: MANAGER.id, secret: MANAGER.secret }],
            policies: ["arn:aws:iam::aws:policy/AdministratorAccess"],
          },
        ],
      },
      ...MEMBERS.map((id, i) => ({ id, name: `member-${i + 1}` })),
    ],
    organization: {
      managementAccount: MANAGEMENT,
      units: OU_NAMES.map((name, i) => ({ name, accounts: [MEMBERS[i] ?? ""] })),
    },
  };
}

const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString("hex")}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

describeEachDatabase(
  "web_identity organizations: no connection takes the member name of an account that joins later",
  (suite) => {
    let t: TestApp;
    let emulator: Emulator;
    let restoreEnv: () => void = () => undefined;

    async function tree(name: string): Promise<OrganizationTree> {
      const response = await t.call("GET", `/api/v1/organizations/${name}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json<OrganizationTree>();
    }

    async function sync(name: string): Promise<OrganizationTree> {
      for (;;) {
        const asked = await t.call("POST", `/api/v1/organizations/${name}/sync`);
        expect(asked.statusCode, asked.body).toBe(202);
        const { queued, requestedAt } = asked.json<{ queued: boolean; requestedAt: string }>();
        for (;;) {
          const o = await tree(name);
          const last = o.organization.lastSync;
          if (
            last !== null &&
            last.status !== "running" &&
            (!queued || last.startedAt >= requestedAt)
          ) {
            if (queued) return o;
            break;
          }
          await sleep(200);
        }
      }
    }

    async function onboardedOrganization(method: "web_identity" | "assume_role") {
      const name = unique("acme");
      const created = await t.call("POST", "/api/v1/organizations", {
        body: { name, connection: "mgmt", grants: [] },
      });
      expect(created.statusCode, created.body).toBe(201);
      const ous = (await tree(name)).ous.filter((ou) => ou.parentId !== null).map((ou) => ou.id);
      const onboarded = await t.call("POST", `/api/v1/organizations/${name}/onboarding`, {
        body: {
          ous,
          regions: ["us-east-1"],
          method,
          ...(method === "assume_role" ? { hubConnection: "hub" } : {}),
        },
      });
      expect(onboarded.statusCode, onboarded.body).toBe(201);
      return name;
    }

    async function join(): Promise<string> {
      const joiner = `5${randomBytes(6).readUIntBE(0, 6).toString().padStart(11, "0").slice(0, 11)}`;
      const unit = (await organizationControl.tree(emulator.url)).OrganizationalUnits.find(
        (u) => u.Name === "Dev",
      );
      await organizationControl.join(emulator.url, {
        id: joiner,
        name: `joiner-${joiner}`,
        parentId: unit?.Id ?? "",
      });
      return joiner;
    }

    const webIdentity = (name: string, extra: Record<string, unknown> = {}) => ({
      name,
      method: "web_identity",
      roleArn: "arn:aws:iam::400000000001:role/switchboard-member",
      regions: ["us-east-1"],
      ...extra,
    });

    function expectRefused(response: { statusCode: number; body: string }, name: string) {
      expect(response.statusCode, response.body).toBe(409);
      const { error } = JSON.parse(response.body) as ErrorBody;
      expect(error).toMatchObject({ code: "WEB_IDENTITY_SUBJECT_RESERVED", field: "name" });
      expect(error.message).toContain(`switchboard:connection/${name}`);
      expect(error.message).toContain("a reconcile creates that connection");
    }

    beforeAll(async () => {
      t = await createTestApp(suite.handle().db, { dev: true });
      emulator = await startEmulator({ world: world() });
      await t.call("PUT", "/api/v1/settings/outbound", {
        body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
      });
      restoreEnv = useEmulatorAsInstance(emulator.url);
      const ok = (r: { statusCode: number; body: string }) =>
        expect(r.statusCode, r.body).toBe(201);
      ok(
        await t.call("POST", "/api/v1/secrets", {
          body: { path: "keys/system/org-admin", value: MANAGER.secret },
        }),
      );
      ok(
        await t.call("POST", "/api/v1/connections", {
          body: {
            name: "mgmt",
            method: "access_key",
            accessKeyId: MANAGER.id,
            secretPath: "keys/system/org-admin",
            access: "full",
            regions: ["us-east-1"],
            endpoint: emulator.url,
          },
        }),
      );
      ok(
        await t.call("POST", "/api/v1/connections", {
          body: { name: "hub", method: "ambient", regions: ["us-east-1"], endpoint: emulator.url },
        }),
      );
      for (const name of ["mgmt", "hub"]) {
        const tested = await t.call("POST", `/api/v1/connections/${name}/test`);
        expect(tested.json<{ ok: boolean }>().ok, tested.body).toBe(true);
      }
    });
    afterAll(async () => {
      restoreEnv();
      await t?.close();
      await emulator?.close();
    });

    it("refuses a member connection's name for an account that joined since (create, draft, rename; a member or an admin), and the reconcile still creates that connection", async () => {
      const organization = await onboardedOrganization("web_identity");
      const joiner = await join();
      const name = `${organization}-${joiner}`;
      const member = await signInAsMember(t, unique("mallory"));

      expectRefused(
        await t.call("POST", "/api/v1/connections", { token: member, body: webIdentity(name) }),
        name,
      );
      // Nothing an admin could have checked trusts it yet: confirming does not help either.
      expectRefused(
        await t.call("POST", "/api/v1/connections", {
          body: webIdentity(name, { confirmSubjectReuse: true }),
        }),
        name,
      );
      expectRefused(
        await t.call("POST", "/api/v1/connections/test", {
          token: member,
          body: webIdentity(name),
        }),
        name,
      );
      const own = unique("own-web");
      const created = await t.call("POST", "/api/v1/connections", {
        token: member,
        body: webIdentity(own),
      });
      expect(created.statusCode, created.body).toBe(201);
      expectRefused(
        await t.call("PATCH", `/api/v1/connections/${own}`, {
          token: member,
          body: { name, confirmRename: true },
        }),
        name,
      );
      expect((await t.call("GET", `/api/v1/connections/${name}`)).statusCode).toBe(404);

      const after = await sync(organization);
      const row = after.accounts.find((a) => a.accountId === joiner);
      expect(row?.connection).toBe(name);
      const made = await t.call("GET", `/api/v1/connections/${name}`);
      expect(made.json<{ tags: Record<string, string> }>().tags).toMatchObject({
        organization,
        account: joiner,
      });
    });

    it("lets other names through: another word after the organization's name, or the pattern of an assume_role organization", async () => {
      const organization = await onboardedOrganization("web_identity");
      const other = `${organization}-staging`;
      const created = await t.call("POST", "/api/v1/connections", { body: webIdentity(other) });
      expect(created.statusCode, created.body).toBe(201);

      const byRole = await onboardedOrganization("assume_role");
      const free = `${byRole}-${await join()}`;
      const allowed = await t.call("POST", "/api/v1/connections", { body: webIdentity(free) });
      expect(allowed.statusCode, allowed.body).toBe(201);
    });
  },
);
