import { SwitchboardError } from "../errors.js";
import type { ConnectionRecord } from "./connection-record.js";

export interface ExplainedError {
  code: string;
  message: string;
  fix: string;
}

/** Where a connection test failed: obtaining credentials, or using them. */
export type TestPhase = "credentials" | "identity";

function codeOf(error: unknown): string {
  if (error instanceof SwitchboardError) return error.code;
  const e = error as { name?: string; Code?: string; code?: string };
  return (
    e.Code ?? (e.name !== undefined && e.name !== "Error" ? e.name : undefined) ?? e.code ?? "Error"
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An AWS (or Switchboard) error in words, with the fix a user would try first. */
export function explainAwsError(
  error: unknown,
  phase: TestPhase,
  connection: ConnectionRecord,
  options: { draft?: boolean } = {},
): ExplainedError {
  const code = codeOf(error);
  const message = messageOf(error);
  const s = connection.settings;
  // A draft has no saved trust policy to point at: its form shows the one it needs.
  const trustPolicyUrl =
    options.draft === true
      ? "the one shown with the connection form (POST /api/v1/connections/setup-documents)"
      : `GET /api/v1/connections/${connection.name}/trust-policy`;
  const explain = (fix: string): ExplainedError => ({ code, message, fix });

  if (code === "OUTBOUND_REFUSED") {
    return explain(
      "the endpoint's host is not on the org's outbound allow-list: an admin adds it under Settings → Outbound allow-list",
    );
  }
  if (code === "SECRET_UNREADABLE" || code === "NOT_FOUND") {
    return explain(
      s.method === "access_key"
        ? `the secret access key at ${s.secretPath} is missing or unreadable: store it again with switchboard secret set ${s.secretPath} --replace`
        : "a key the connection needs is missing from the key store",
    );
  }
  if (
    code === "ECONNREFUSED" ||
    code === "ENOTFOUND" ||
    code === "ETIMEDOUT" ||
    code === "TimeoutError"
  ) {
    return explain(
      `Switchboard cannot reach ${connection.endpoint ?? "AWS"}: check the endpoint and the network`,
    );
  }
  if (code === "CredentialsProviderError") {
    return explain(
      "the server has no AWS identity of its own: give it an instance role, an ECS task role, environment keys or shared config, or use another method",
    );
  }
  if (code === "ExpiredToken" || code === "ExpiredTokenException") {
    return explain(
      "the credentials used have expired: test again; if it persists, check the server's clock",
    );
  }
  if (phase === "credentials" && s.method === "assume_role" && code === "AccessDenied") {
    return explain(
      `the role's trust policy does not allow this principal or ExternalId, or the caller may not sts:AssumeRole it: compare the trust policy with ${trustPolicyUrl}`,
    );
  }
  if (phase === "credentials" && s.method === "web_identity") {
    if (code === "InvalidIdentityToken" || code === "IDPRejectedClaim") {
      return explain(
        `AWS rejected the web identity token: the account needs an IAM OIDC provider for the issuer with the org's audience as client id, and AWS must be able to fetch the issuer's JWKS; compare with ${trustPolicyUrl}`,
      );
    }
    if (code === "IDPCommunicationError") {
      return explain(
        "AWS could not fetch the issuer's OIDC documents: publish them where AWS can reach over HTTPS (switchboard oidc publish)",
      );
    }
    if (code === "AccessDenied") {
      return explain(
        `the role's trust policy does not accept this token's aud and sub: compare it with ${trustPolicyUrl}`,
      );
    }
  }
  if (code === "InvalidClientTokenId" || code === "UnrecognizedClientException") {
    return explain(
      s.method === "access_key"
        ? `AWS does not recognise access key id ${s.accessKeyId}: check the id and that the key is active in IAM`
        : "AWS does not recognise the credentials of the identity assuming the role",
    );
  }
  if (code === "SignatureDoesNotMatch") {
    return explain(
      s.method === "access_key"
        ? `the secret access key at ${s.secretPath} does not belong to access key id ${s.accessKeyId}: store the right one with --replace`
        : "the signing credentials do not match: check the source identity's key pair",
    );
  }
  if (
    code === "AccessDenied" ||
    code === "AccessDeniedException" ||
    code === "UnauthorizedOperation"
  ) {
    return explain("the identity lacks the permission: grant it in the role's permission policy");
  }
  return explain("see the message from AWS");
}
