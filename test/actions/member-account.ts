import { expect } from "vitest";
import {
  startEmulator,
  type Emulator,
  type KnobsInput,
  type WorldInput,
} from "../../emulator/index.js";
import type { Db } from "../../src/db/index.js";
import { useEmulatorAsInstance } from "../helpers/demo-setup.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";
import { hubAccount } from "../helpers/worlds.js";

export const HUB = "100000000000";
export const MEMBER = "100000000001";

type AccountInput = WorldInput["accounts"][number];
type RoleInput = NonNullable<AccountInput["roles"]>[number];

// No ExternalId condition: these tests are about what happens after the role is assumed.
const TRUSTING_HUB = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${HUB}:role/host` },
      Action: "sts:AssumeRole",
    },
  ],
};

export interface MemberAccountOptions {
  /** Roles in the member account (all trust the hub's host). */
  roles: { name: string; policies: RoleInput["policies"] }[];
  /** The member account's resources, per region (see the emulator's world). */
  resources?: AccountInput["resources"];
  regions?: string[];
  knobs?: KnobsInput;
}

export interface MemberAccount {
  t: TestApp;
  emulator: Emulator;
  /** Creates an assume_role connection to one of the member's roles, through the emulator. */
  connect(
    name: string,
    role: string,
    extra?: { access?: "view" | "read" | "full"; endpoint?: string; regions?: string[] },
  ): Promise<void>;
  close(): Promise<void>;
}

/**
 * A Switchboard app whose own identity is the emulator's hub instance role, and a member account
 * whose roles trust it: the usual shape of a single-account test.
 */
export async function memberAccount(db: Db, options: MemberAccountOptions): Promise<MemberAccount> {
  const t = await createTestApp(db);
  const regions = options.regions ?? ["us-east-1"];
  const emulator = await startEmulator({
    world: {
      regions,
      accounts: [
        hubAccount(HUB),
        {
          id: MEMBER,
          name: "member",
          roles: options.roles.map((r) => ({
            name: r.name,
            trust: TRUSTING_HUB,
            policies: r.policies,
          })),
          ...(options.resources === undefined ? {} : { resources: options.resources }),
        },
      ],
    },
    ...(options.knobs === undefined ? {} : { knobs: options.knobs }),
  });
  const restoreEnv = useEmulatorAsInstance(emulator.url);
  await t.call("PUT", "/api/v1/settings/outbound", {
    body: { allow: [`127.0.0.1:${emulator.port}`] },
  });
  return {
    t,
    emulator,
    async connect(name, role, extra = {}) {
      const created = await t.call("POST", "/api/v1/connections", {
        body: {
          name,
          method: "assume_role",
          roleArn: `arn:aws:iam::${MEMBER}:role/${role}`,
          endpoint: extra.endpoint ?? emulator.url,
          regions: extra.regions ?? regions,
          ...(extra.access === undefined ? {} : { access: extra.access }),
        },
      });
      expect(created.statusCode, created.body).toBe(201);
    },
    async close() {
      restoreEnv();
      await t.close();
      await emulator.close();
    },
  };
}
