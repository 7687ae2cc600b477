import { isProviderUrl } from "../iam/oidc-provider-url.js";
import { z } from "zod";
import { organizationSchema } from "./organization-schema.js";

const policyDocument = z
  .object({
    Version: z.string().optional(),
    Statement: z.union([
      z.array(z.record(z.string(), z.unknown())),
      z.record(z.string(), z.unknown()),
    ]),
  })
  .passthrough();

// A policy is either an AWS managed policy ARN or an inline document.
const policyRef = z.union([z.string().startsWith("arn:aws:iam::"), policyDocument]);

const accessKey = z.object({
  id: z.string().regex(/^AKIA[A-Z0-9]{12,124}$/, "an access key id starts with AKIA"),
  secret: z.string().min(16),
});

const user = z.object({
  name: z.string().regex(/^[\w+=,.@-]{1,64}$/),
  accessKeys: z.array(accessKey).default([]),
  policies: z.array(policyRef).default([]),
});

const role = z.object({
  name: z.string().regex(/^[\w+=,.@-]{1,64}$/),
  trust: policyDocument,
  policies: z.array(policyRef).default([]),
  maxSessionDuration: z.number().int().min(3600).max(43200).default(3600),
});

const oidcProvider = z.object({
  url: z
    .string()
    .refine(isProviderUrl, "an OIDC provider url starts with https:// (http:// only on loopback)"),
  clientIds: z.array(z.string()).min(1),
});

// Resources are kept as the API returns them; the protocol layer only emits modeled members.
// Items are usually objects; some APIs list plain names (dynamodb:ListTables → TableNames).
const resourceItems = z.array(z.unknown());
const serviceResources = z.record(
  z.string(),
  z.union([resourceItems, z.record(z.string(), z.unknown())]),
);
const regionResources = z.record(z.string(), serviceResources);

const estateCount = z.number().int().min(0).max(100_000);
const estateRegion = z.union([
  estateCount,
  z.object({
    count: estateCount,
    instancesPerStack: z.number().int().min(0).max(3).optional(),
    buckets: z.boolean().optional(),
  }),
]);

const account = z.object({
  id: z.string().regex(/^\d{12}$/, "an account id has 12 digits"),
  name: z.string().min(1),
  users: z.array(user).default([]),
  roles: z.array(role).default([]),
  oidcProviders: z.array(oidcProvider).default([]),
  instanceRole: z.string().optional(),
  /** The world's opt-in regions this account has enabled. */
  enabledRegions: z.array(z.string()).default([]),
  resources: z.record(z.string(), regionResources).default({}),
  /**
   * Generated resources added to `resources`: region → how many, or { count, instancesPerStack,
   * buckets } (emulator/worlds/generate-estate.ts builds application stacks: VPCs, subnets, load
   * balancers, instances, databases, …).
   */
  estate: z.record(z.string(), estateRegion).default({}),
});

const regionName = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/);

export const worldSchema = z.object({
  regions: z.array(regionName).min(1).optional(),
  /** Regions an account serves only once it has enabled them (`enabledRegions`), as AWS's opt-in regions. */
  optInRegions: z.array(regionName).default([]),
  accounts: z.array(account).min(1),
  /** The AWS Organization the accounts form, if any (see organization-schema.ts). */
  organization: organizationSchema.optional(),
});

export type WorldInput = z.input<typeof worldSchema>;
export type WorldDocument = z.output<typeof worldSchema>;
export type PolicyDocument = z.output<typeof policyDocument>;
