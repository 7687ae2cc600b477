import { afterAll, beforeAll, expect, it } from "vitest";
import type { Emulator } from "../../emulator/index.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import type { TestApp } from "../helpers/test-app.js";
import {
  addManagementConnections,
  errorOf,
  joinDev,
  organizationApi,
  startOrganizationWorkbench,
  unique,
} from "./org-test-kit.js";
import { organizationWorld } from "./organization-world.js";

const MEMBERS = ["400000000001", "400000000002", "400000000003"];

describeEachDatabase(
  "web_identity organizations: no connection takes the member name of an account that joins later",
  (suite) => {
    let t: TestApp;
    let emulator: Emulator;
    let restoreEnv: () => void = () => undefined;

    const { tree, sync } = organizationApi(() => t);

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

    const join = () => joinDev(emulator.url, "5");

    const webIdentity = (name: string, extra: Record<string, unknown> = {}) => ({
      name,
      method: "web_identity",
      roleArn: "arn:aws:iam::400000000001:role/switchboard-member",
      regions: ["us-east-1"],
      ...extra,
    });

    function expectRefused(response: { statusCode: number; body: string }, name: string) {
      expect(response.statusCode, response.body).toBe(409);
      const error = errorOf(response);
      expect(error).toMatchObject({ code: "WEB_IDENTITY_SUBJECT_RESERVED", field: "name" });
      expect(error.message).toContain(`switchboard:connection/${name}`);
      expect(error.message).toContain("a reconcile creates that connection");
    }

    beforeAll(async () => {
      const bench = await startOrganizationWorkbench(suite.handle().db, organizationWorld(MEMBERS));
      ({ t, emulator, restoreEnv } = bench);
      await addManagementConnections(bench);
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
