import { createValidatedPolicy, validateIdentityPolicy } from "@cloud-copilot/iam-policy";
import type { ValidatedPolicy } from "@cloud-copilot/iam-policy";
import { managedPolicyDocuments } from "./managed-policy-documents.js";

/** A connection's access setting; `view` and `read` are enforced with AWS managed policies. */
export type ConnectionAccessSetting = "view" | "read" | "full";

export const ACCESS_POLICY_NAMES = {
  view: "ViewOnlyAccess",
  read: "ReadOnlyAccess",
} as const satisfies Record<Exclude<ConnectionAccessSetting, "full">, string>;

export type AccessPolicies = Record<
  keyof typeof ACCESS_POLICY_NAMES,
  ValidatedPolicy<{ name: string }>
>;

let loading: Promise<AccessPolicies> | undefined;

// Validated once, so iam-simulate skips validating a large document on every evaluation.
async function load(): Promise<AccessPolicies> {
  const documents = await managedPolicyDocuments(Object.values(ACCESS_POLICY_NAMES));
  const validated = (name: string, document: unknown): ValidatedPolicy<{ name: string }> => {
    const policy = createValidatedPolicy(document, validateIdentityPolicy, { name });
    if (policy.errors.length > 0) throw new Error(`AWS managed policy ${name} does not validate`);
    return policy;
  };
  return {
    view: validated(ACCESS_POLICY_NAMES.view, documents[ACCESS_POLICY_NAMES.view]),
    read: validated(ACCESS_POLICY_NAMES.read, documents[ACCESS_POLICY_NAMES.read]),
  };
}

/**
 * The current ViewOnlyAccess and ReadOnlyAccess documents, loaded once per process (immutable
 * public data). Call it at startup so the first request does not pay the load.
 */
export async function loadAccessPolicies(): Promise<AccessPolicies> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
