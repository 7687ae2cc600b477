import { connectionNameSchema, roleArnSchema } from "../../../../src/connections/schemas";
import { ApiError } from "../../api/client";
import type {
  Access,
  Connection,
  CreateBody,
  GrantRole,
  Method,
  UpdateBody,
} from "../../api/connections";
import type { LocalError } from "../../components/field-errors";

export type { CreateBody, UpdateBody };

/** A team's access given while adding a connection. */
export interface TeamAccess {
  team: string;
  roles: GrantRole[];
}

/** What the form holds, as the inputs hold it (strings where the user types). */
export interface FormState {
  name: string;
  method: Method;
  access: Access;
  regions: string[];
  endpoint: string;
  /** "key=value" */
  tags: string[];
  project: string | null;
  accessKeyId: string;
  secretPath: string;
  roleArn: string;
  /** null: the server's own identity (ambient). */
  sourceConnection: string | null;
  sessionDurationSeconds: number | string;
  policyArns: string[];
  confirmRename: boolean;
  /**
   * An org admin's confirmation that this web_identity connection may take the token subject of
   * a deleted or renamed one. It confirms one name: the form clears it when the name changes.
   */
  confirmSubjectReuse: boolean;
  /** New connections only: saved ones change their grants on their page. */
  teamAccess: TeamAccess[];
}

/** What each field is called on the form, for errors shown away from it. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  name: "Name",
  method: "Method",
  access: "Access",
  regions: "Regions",
  endpoint: "Endpoint",
  tags: "Tags",
  project: "Project",
  accessKeyId: "Access key id",
  secretPath: "Secret access key: key-store path",
  roleArn: "Role ARN",
  sourceConnection: "Source connection",
  sessionDurationSeconds: "Session duration",
  policyArns: "Session policy ARNs",
  grants: "Team access",
};
export const FIELDS = Object.keys(FIELD_LABELS);
/** The prefix of the form's input ids (fieldId). */
export const FORM_ID = "connection";

export const EMPTY_FORM: FormState = {
  name: "",
  method: "assume_role",
  access: "read",
  regions: [],
  endpoint: "",
  tags: [],
  project: null,
  accessKeyId: "",
  secretPath: "",
  roleArn: "",
  sourceConnection: null,
  sessionDurationSeconds: "",
  policyArns: [],
  confirmRename: false,
  confirmSubjectReuse: false,
  teamAccess: [],
};

/** The server's own rules (a zod-only module): a draft is sent only when they pass. */
export const isConnectionName = (name: string) => connectionNameSchema.safeParse(name).success;
export const isRoleArn = (arn: string) => roleArnSchema.safeParse(arn).success;

/** The regions AWS enables by default, and the opt-in ones, for the region picker. */
export const AWS_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "ca-west-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "ap-south-1",
  "ap-south-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-east-1",
  "sa-east-1",
  "me-south-1",
  "me-central-1",
  "il-central-1",
  "af-south-1",
];

export function fromConnection(c: Connection): FormState {
  return {
    name: c.name,
    method: c.method,
    access: c.access,
    regions: c.regions,
    endpoint: c.endpoint ?? "",
    tags: Object.entries(c.tags).map(([k, v]) => `${k}=${v}`),
    project: c.project,
    accessKeyId: c.accessKeyId ?? "",
    secretPath: c.secretPath ?? "",
    roleArn: c.roleArn ?? "",
    sourceConnection: c.sourceConnection ?? null,
    sessionDurationSeconds: c.sessionDurationSeconds ?? "",
    policyArns: c.policyArns ?? [],
    confirmRename: false,
    confirmSubjectReuse: false,
    teamAccess: [],
  };
}

export function parseTags(
  tags: string[],
): { tags: Record<string, string> } | { error: LocalError } {
  const out: Record<string, string> = {};
  for (const tag of tags) {
    const at = tag.indexOf("=");
    if (at <= 0) return { error: { field: "tags", message: `"${tag}" is not key=value` } };
    out[tag.slice(0, at).trim()] = tag.slice(at + 1).trim();
  }
  return { tags: out };
}

function duration(s: FormState): number | undefined {
  return typeof s.sessionDurationSeconds === "number" ? s.sessionDurationSeconds : undefined;
}

/** The create body (also what a draft test and the draft's setup documents take). */
export function toCreateBody(s: FormState): { body: CreateBody } | { error: LocalError } {
  const parsed = parseTags(s.tags);
  if ("error" in parsed) return parsed;
  const common = {
    name: s.name.trim(),
    access: s.access,
    regions: s.regions,
    tags: parsed.tags,
    ...(s.endpoint.trim() === "" ? {} : { endpoint: s.endpoint.trim() }),
    ...(s.project === null ? {} : { project: s.project }),
  };
  const role = {
    roleArn: s.roleArn.trim(),
    ...(duration(s) === undefined ? {} : { sessionDurationSeconds: duration(s) }),
    ...(s.policyArns.length === 0 ? {} : { policyArns: s.policyArns }),
  };
  switch (s.method) {
    case "ambient":
      return { body: { method: "ambient", ...common } };
    case "access_key":
      return {
        body: {
          method: "access_key",
          ...common,
          accessKeyId: s.accessKeyId.trim(),
          secretPath: s.secretPath.trim(),
        },
      };
    case "assume_role":
      return {
        body: {
          method: "assume_role",
          ...common,
          ...role,
          ...(s.sourceConnection === null ? {} : { sourceConnection: s.sourceConnection }),
        },
      };
    case "web_identity":
      return {
        body: {
          method: "web_identity",
          ...common,
          ...role,
          ...(s.confirmSubjectReuse ? { confirmSubjectReuse: true } : {}),
        },
      };
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Only what changed, as PATCH takes it (null clears an optional setting). */
export function toUpdateBody(
  original: FormState,
  s: FormState,
): { body: UpdateBody } | { error: LocalError } {
  const parsed = parseTags(s.tags);
  if ("error" in parsed) return parsed;
  const before = parseTags(original.tags);
  const body: UpdateBody = {};
  const name = s.name.trim();
  if (name !== original.name) {
    body.name = name;
    if (s.method === "web_identity") body.confirmRename = s.confirmRename;
  }
  if (s.method === "web_identity" && s.confirmSubjectReuse) body.confirmSubjectReuse = true;
  if (s.access !== original.access) body.access = s.access;
  if (!same(s.regions, original.regions)) body.regions = s.regions;
  if (s.endpoint.trim() !== original.endpoint)
    body.endpoint = s.endpoint.trim() === "" ? null : s.endpoint.trim();
  if (!("tags" in before) || !same(parsed.tags, before.tags)) body.tags = parsed.tags;
  if (s.method === "access_key") {
    if (s.accessKeyId.trim() !== original.accessKeyId) body.accessKeyId = s.accessKeyId.trim();
    if (s.secretPath.trim() !== original.secretPath) body.secretPath = s.secretPath.trim();
  }
  if (s.method === "assume_role" || s.method === "web_identity") {
    if (s.roleArn.trim() !== original.roleArn) body.roleArn = s.roleArn.trim();
    if (duration(s) !== duration(original)) body.sessionDurationSeconds = duration(s) ?? null;
    if (!same(s.policyArns, original.policyArns)) body.policyArns = s.policyArns;
  }
  if (s.method === "assume_role" && s.sourceConnection !== original.sourceConnection)
    body.sourceConnection = s.sourceConnection;
  return { body };
}

/**
 * The server refused a web_identity connection's name: its token subject belonged to a connection
 * that was deleted or renamed, and roles may still trust it.
 */
export function isSubjectReserved(error: unknown): boolean {
  return error instanceof ApiError && error.code === "WEB_IDENTITY_SUBJECT_RESERVED";
}

/** The grants a new connection's team access rows give. */
export function teamGrants(rows: TeamAccess[]): NonNullable<CreateBody["grants"]> {
  return rows.flatMap((row) => row.roles.map((role) => ({ principal: `team:${row.team}`, role })));
}
