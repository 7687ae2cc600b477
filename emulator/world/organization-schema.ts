import { z } from "zod";

/** How AWS Organizations reports an account's lifecycle (`State`, the successor of `Status`). */
export const ACCOUNT_STATES = [
  "PENDING_ACTIVATION",
  "ACTIVE",
  "SUSPENDED",
  "PENDING_CLOSURE",
  "CLOSED",
] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

const accountId = z.string().regex(/^\d{12}$/, "an account id has 12 digits");

/** A member: an account id of the world, or the id with its Organizations details. */
export const memberSchema = z.union([
  accountId,
  z.object({
    id: accountId,
    email: z.string().email().optional(),
    state: z.enum(ACCOUNT_STATES).default("ACTIVE"),
    joinedMethod: z.enum(["INVITED", "CREATED"]).default("CREATED"),
  }),
]);
export type MemberInput = z.input<typeof memberSchema>;

export type UnitInput = {
  name: string;
  /** `ou-<root suffix>-<8 characters>`; derived from the path of names when absent. */
  id?: string | undefined;
  accounts?: MemberInput[] | undefined;
  units?: UnitInput[] | undefined;
};

const unitSchema: z.ZodType<UnitInput, UnitInput> = z.lazy(() =>
  z.object({
    name: z.string().regex(/^[\s\S]{1,128}$/, "an OU name has 1 to 128 characters"),
    id: z
      .string()
      .regex(/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/, "an OU id looks like ou-ab12-cd34ef56")
      .optional(),
    accounts: z.array(memberSchema).optional(),
    units: z.array(unitSchema).optional(),
  }),
);

/**
 * The world's AWS Organization: its management account, the tree of OUs with their member
 * accounts (ids of the world's accounts), the services with trusted access and the delegated
 * administrators. Accounts of the world that it does not list are standalone accounts.
 */
export const organizationSchema = z.object({
  id: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, "an organization id looks like o-a1b2c3d4e5")
    .optional(),
  rootId: z
    .string()
    .regex(/^r-[0-9a-z]{4,32}$/, "a root id looks like r-ab12")
    .optional(),
  managementAccount: accountId,
  managementEmail: z.string().email().optional(),
  featureSet: z.enum(["ALL", "CONSOLIDATED_BILLING"]).default("ALL"),
  /** Members directly under the root (the management account is there unless an OU lists it). */
  accounts: z.array(memberSchema).default([]),
  units: z.array(unitSchema).default([]),
  /** Service principals with trusted access (`EnableAWSServiceAccess`). */
  trustedServices: z.array(z.string().min(1)).default([]),
  delegatedAdministrators: z
    .array(z.object({ account: accountId, servicePrincipal: z.string().min(1) }))
    .default([]),
});

export type OrganizationInput = z.input<typeof organizationSchema>;
export type OrganizationDocument = z.output<typeof organizationSchema>;
