import type { WorldInput } from "../world/world-schema.js";

type AccountInput = WorldInput["accounts"][number];

export type OrganizationWorldOptions = {
  /** Member accounts besides the management account, spread over the OUs in turn. */
  accounts: number;
  /** The OU names under the root (default Production, Staging, Sandbox). */
  units?: string[];
  /** Default 111111111111. */
  managementAccountId?: string;
  /** Members get consecutive ids from this one (default 200000000001). */
  firstMemberId?: number;
  /** How many of the last members are SUSPENDED (default 0). */
  suspended?: number;
  /** Whether StackSets' trusted access is on from the start (default false). */
  trustedAccess?: boolean;
  regions?: string[];
  /** Merged into the management account (users, roles…); by default it has an `admin` user. */
  management?: Partial<AccountInput>;
  /** An IAM OIDC provider every member has, so a web-identity member role can trust it. */
  oidcProvider?: { url: string; clientIds: string[] };
  /** Accounts of the world outside the organization (a hub, an attacker…). */
  otherAccounts?: AccountInput[];
};

/** The management account's administrator in generated worlds. */
export const ORGANIZATION_ADMIN_KEY = {
  accessKeyId: "AKIAORGMANAGEMENTADM1",
  secretAccessKey: "organization-management-admin-secret-000",
};

export function memberAccountId(
  options: Pick<OrganizationWorldOptions, "firstMemberId">,
  index: number,
): string {
  return String((options.firstMemberId ?? 200000000001) + index).padStart(12, "0");
}

/**
 * A world with an organization of any size from a few numbers: the management account (with an
 * administrator user), `accounts` bare member accounts spread over the OUs in turn (each with its
 * own, empty IAM, for a StackSet to fill), the last `suspended` of them suspended.
 */
export function organizationWorld(options: OrganizationWorldOptions): WorldInput {
  const management = options.managementAccountId ?? "111111111111";
  const units = options.units ?? ["Production", "Staging", "Sandbox"];
  const suspended = options.suspended ?? 0;
  const members = Array.from({ length: options.accounts }, (_, i) => ({
    id: memberAccountId(options, i),
    name: `member-${String(i + 1).padStart(4, "0")}`,
    unit: i % units.length,
    state: i >= options.accounts - suspended ? ("SUSPENDED" as const) : ("ACTIVE" as const),
  }));
  const managementAccount: AccountInput = {
    id: management,
    name: "management",
    users: [
      {
        name: "admin",
        accessKeys: [
          {
            id: ORGANIZATION_ADMIN_KEY.accessKeyId,
            secret: ORGANIZATION_ADMIN_KEY.secretAccessKey,
          },
        ],
        policies: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      },
    ],
    ...options.management,
  };
  return {
    regions: options.regions ?? ["us-east-1", "eu-west-1"],
    accounts: [
      managementAccount,
      ...members.map((m) => ({
        id: m.id,
        name: m.name,
        ...(options.oidcProvider !== undefined ? { oidcProviders: [options.oidcProvider] } : {}),
      })),
      ...(options.otherAccounts ?? []),
    ],
    organization: {
      managementAccount: management,
      trustedServices:
        options.trustedAccess === true ? ["member.org.stacksets.cloudformation.amazonaws.com"] : [],
      units: units.map((name, u) => ({
        name,
        accounts: members
          .filter((m) => m.unit === u)
          .map((m) => (m.state === "ACTIVE" ? m.id : { id: m.id, state: m.state })),
      })),
    },
  };
}
