import { randomBytes } from "node:crypto";
import { ListRootsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { expect } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { organizationControl } from "../../emulator/organization-control.js";
import type { OrganizationTree } from "../../src/organizations/index.js";
import { useEmulatorAsInstance } from "../helpers/demo-setup.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { MANAGER, REGIONS } from "./organization-world.js";

/** Shared pieces of the organization tests: the app and emulator, the API calls they repeat. */

export const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString("hex")}`;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}
export const errorOf = (response: { body: string }) =>
  (JSON.parse(response.body) as ErrorBody).error;

/**
 * An account joining the Dev OU now (after the onboarding), its 12-digit id random and starting
 * with `firstDigit` (a digit of its own per test file keeps them apart); returns its id.
 */
export async function joinDev(emulatorUrl: string, firstDigit: string): Promise<string> {
  const joiner = `${firstDigit}${randomBytes(6).readUIntBE(0, 6).toString().padStart(11, "0").slice(0, 11)}`;
  const unit = (await organizationControl.tree(emulatorUrl)).OrganizationalUnits.find(
    (u) => u.Name === "Dev",
  );
  await organizationControl.join(emulatorUrl, {
    id: joiner,
    name: `joiner-${joiner}`,
    parentId: unit?.Id ?? "",
  });
  return joiner;
}

/** Expects `status` (201 by default), showing the body when it is not. */
export const ok = (r: { statusCode: number; body: string }, status = 201) =>
  expect(r.statusCode, r.body).toBe(status);

export interface OrganizationWorkbench {
  t: TestApp;
  emulator: Emulator;
  restoreEnv: () => void;
}

/**
 * A dev app on `db` and an emulator of `world`, the app allowed to reach it and using it as its
 * instance (the hub's ambient credentials).
 */
export async function startOrganizationWorkbench(
  db: Parameters<typeof createTestApp>[0],
  world: WorldInput,
): Promise<OrganizationWorkbench> {
  const t = await createTestApp(db, { dev: true });
  const emulator = await startEmulator({ world });
  await t.call("PUT", "/api/v1/settings/outbound", {
    body: { allow: ["*.amazonaws.com", `127.0.0.1:${emulator.port}`] },
  });
  const restoreEnv = useEmulatorAsInstance(emulator.url);
  return { t, emulator, restoreEnv };
}

/**
 * The management connection `mgmt` (the org-admin key, kept at keys/system/org-admin) and, unless
 * `hub` is false, the ambient connection `hub`; each must pass its test.
 */
export async function addManagementConnections(
  { t, emulator }: OrganizationWorkbench,
  options: { regions?: string[]; hub?: boolean } = {},
): Promise<void> {
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
        regions: options.regions ?? ["us-east-1"],
        endpoint: emulator.url,
      },
    }),
  );
  const names = ["mgmt"];
  if (options.hub !== false) {
    ok(
      await t.call("POST", "/api/v1/connections", {
        body: { name: "hub", method: "ambient", regions: ["us-east-1"], endpoint: emulator.url },
      }),
    );
    names.push("hub");
  }
  for (const name of names) {
    const tested = await t.call("POST", `/api/v1/connections/${name}/test`);
    expect(tested.json<{ ok: boolean }>().ok, tested.body).toBe(true);
  }
}

/** The organization reads and reconciles the tests wait on (jobs run on the app's own workers). */
export function organizationApi(app: () => TestApp) {
  async function tree(name: string): Promise<OrganizationTree> {
    const response = await app().call("GET", `/api/v1/organizations/${name}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<OrganizationTree>();
  }

  /** Waits until `done` holds for the organization. */
  async function waitFor(
    name: string,
    done: (tree: OrganizationTree) => boolean,
  ): Promise<OrganizationTree> {
    for (;;) {
      const current = await tree(name);
      if (done(current)) return current;
      await sleep(200);
    }
  }

  /** A reconcile asked now, and its end. */
  async function sync(name: string): Promise<OrganizationTree> {
    for (;;) {
      const asked = await app().call("POST", `/api/v1/organizations/${name}/sync`);
      expect(asked.statusCode, asked.body).toBe(202);
      const { queued, requestedAt } = asked.json<{ queued: boolean; requestedAt: string }>();
      if (!queued) {
        // One is queued or running: let it end, then ask again (it may have read the world early).
        await waitFor(
          name,
          (o) => o.organization.lastSync !== null && o.organization.lastSync.status !== "running",
        );
        continue;
      }
      return waitFor(
        name,
        (o) =>
          o.organization.lastSync !== null &&
          o.organization.lastSync.status !== "running" &&
          o.organization.lastSync.startedAt >= requestedAt,
      );
    }
  }

  return {
    tree,
    waitFor,
    sync,
    /** The same calls bound to the organization `name`. */
    of: (name: string) => ({
      tree: () => tree(name),
      waitFor: (done: (tree: OrganizationTree) => boolean) => waitFor(name, done),
      sync: () => sync(name),
    }),
  };
}

/**
 * Organization `acme` on `mgmt`, every OU onboarded with assume_role through `hub` in REGIONS,
 * its template deployed and the reconcile after it succeeded; returns a management-key
 * Organizations client and the root's id.
 */
export async function onboardAndDeployAcme({ t, emulator }: OrganizationWorkbench): Promise<{
  organizations: OrganizationsClient;
  rootId: string;
}> {
  const acme = organizationApi(() => t).of("acme");
  ok(await t.call("POST", "/api/v1/organizations", { body: { name: "acme", connection: "mgmt" } }));
  const ous = (await acme.tree()).ous.filter((ou) => ou.parentId !== null).map((ou) => ou.id);
  ok(
    await t.call("POST", "/api/v1/organizations/acme/onboarding", {
      body: { ous, regions: REGIONS, method: "assume_role", hubConnection: "hub" },
    }),
  );
  ok(
    await t.call("POST", "/api/v1/organizations/acme/deploy", { body: { region: "us-east-1" } }),
    202,
  );
  await acme.waitFor(
    (o) =>
      o.organization.deployment?.status !== "RUNNING" &&
      o.organization.lastSync?.status === "succeeded",
  );
  const organizations = new OrganizationsClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: MANAGER.id, secretAccessKey: MANAGER.secret },
  });
  const rootId = (await organizations.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? "";
  return { organizations, rootId };
}
