import type { WorldInput } from "../../emulator/index.js";
import { hubAccount } from "../helpers/worlds.js";

/** Switchboard's own account: its instance role assumes every member role. */
export const HUB = "111111111111";
/** The organization's management account, reached with an access key of an admin user. */
export const MANAGEMENT = "100000000000";
export const MANAGER = {
  id: "AKIAORGMANAGER000001",
  secret: "org-manager-secret-0000000000000000000000",
};
export const OU_NAMES = ["Prod", "Dev", "Security"] as const;
/** 40 member accounts: 200000000001 … 200000000040, spread over the three OUs. */
export const MEMBERS = Array.from(
  { length: 40 },
  (_, i) => `2000000000${String(i + 1).padStart(2, "0")}`,
);
export const REGIONS = ["us-east-1", "eu-west-1"];

export function ouOf(index: number): (typeof OU_NAMES)[number] {
  return OU_NAMES[index % 3] as (typeof OU_NAMES)[number];
}

type AccountInput = NonNullable<WorldInput["accounts"]>[number];

export interface OrganizationWorldOptions {
  /** Replaces the plain hub account (e.g. one with extra roles or users). */
  hub?: AccountInput;
  /** Accounts outside the organization, listed after the hub. */
  outsiders?: AccountInput[];
}

/**
 * An organization of 3 OUs with `members` spread over them in turn (member i in `ouOf(i)`), the
 * management account (user `org-admin`, key MANAGER) under the root, and the hub outside it.
 * By default the 40 MEMBERS.
 */
export function organizationWorld(
  members: readonly string[] = MEMBERS,
  options: OrganizationWorldOptions = {},
): WorldInput {
  return {
    regions: REGIONS,
    accounts: [
      options.hub ?? hubAccount(HUB),
      ...(options.outsiders ?? []),
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
      ...members.map((id, i) => ({ id, name: `member-${i + 1}` })),
    ],
    organization: {
      managementAccount: MANAGEMENT,
      units: OU_NAMES.map((name) => ({
        name,
        accounts: members.filter((_, i) => ouOf(i) === name),
      })),
    },
  };
}
