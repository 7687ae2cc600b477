import { validateSessionPolicy } from "@cloud-copilot/iam-policy";
import { AwsError } from "../aws-error.js";
import { managedPolicyDocument, releaseManagedPolicies } from "../world/managed-policy.js";
import type { PolicyDocument } from "../world/world-schema.js";

function statements(document: unknown): unknown[] {
  const statement = (document as { Statement?: unknown }).Statement;
  return Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
}

/**
 * The session policies of an AssumeRole* call (managed `PolicyArns` and an inline `Policy`) as
 * one document: the session may do what the role allows and at least one of them allows.
 */
export function sessionPolicy(input: Record<string, unknown>): PolicyDocument | undefined {
  const documents: unknown[] = [];
  for (const entry of (input.PolicyArns as { arn?: string }[] | undefined) ?? []) {
    const arn = entry.arn ?? "";
    const document = managedPolicyDocument(arn);
    releaseManagedPolicies();
    if (document === undefined)
      throw new AwsError(
        "InvalidParameterValue",
        `Policy ${arn} does not exist or is not attachable.`,
        400,
      );
    documents.push(document);
  }
  if (typeof input.Policy === "string") {
    let document: unknown;
    try {
      document = JSON.parse(input.Policy);
    } catch {
      throw new AwsError(
        "MalformedPolicyDocument",
        "The policy is not in the valid JSON format.",
        400,
      );
    }
    const problem = validateSessionPolicy(document)[0];
    if (problem !== undefined)
      throw new AwsError("MalformedPolicyDocument", `${problem.message} (${problem.path})`, 400);
    documents.push(document);
  }
  if (documents.length === 0) return undefined;
  return {
    Version: "2012-10-17",
    Statement: documents.flatMap(statements) as Record<string, unknown>[],
  };
}
