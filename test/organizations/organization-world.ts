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

/** An organization of 3 OUs and 40 member accounts, the management account under the root. */
export function organizationWorld(): WorldInput {
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
      units: OU_NAMES.map((name) => ({
        name,
        accounts: MEMBERS.filter((_, i) => ouOf(i) === name),
      })),
    },
  };
}
