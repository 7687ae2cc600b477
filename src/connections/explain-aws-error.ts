import { SwitchboardError } from "../errors.js";
import type { ConnectionRecord } from "./connection-record.js";
import type { TestErrorSee } from "./schemas.js";

export interface ExplainedError {
  code: string;
  message: string;
  /** In words for every interface: it names what to look at, never an API route. */
  fix: string;
  /** What the fix points at, so an interface can show it or link to it. */
  see?: TestErrorSee;
  /** OUTBOUND_REFUSED: the allow-list entry that would let the request through. */
  allow?: string;
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

/**
 * Whose permission policy a denial is about: the identity AWS names in its message ("User:
 * arn:… is not authorized"), else the one the connection's last test found, else the method's.
 */
function deniedIdentity(message: string, connection: ConnectionRecord): string {
  const arn =
    /\barn:aws[\w-]*:(?:iam|sts)::\d{12}:(?:user|role|assumed-role)\/[^\s,;]+/.exec(message)?.[0] ??
    connection.health?.arn ??
    undefined;
  // user/<path…>/<name>, role/<path…>/<name>, assumed-role/<name>/<session>
  const [kind, ...names] = arn?.split(":")[5]?.split("/") ?? [];
  if (kind === "user") return `the user's policy (IAM user ${names.at(-1) ?? ""})`;
  if (kind === "role" || kind === "assumed-role")
    return `the role's permission policy (role ${(kind === "role" ? names.at(-1) : names[0]) ?? ""})`;
  const s = connection.settings;
  if (s.method === "access_key") return `the user's policy (the IAM user of ${s.accessKeyId})`;
  if (s.method === "assume_role" || s.method === "web_identity")
    return `the role's permission policy (${s.roleArn})`;
  return "the permission policy of the server's own identity (its instance, task or user)";
}

function clockSkewed(message: string): boolean {
  return /Signature expired|Signature not yet current|Request has expired/i.test(message);
}

/** What to check when AWS does not accept a signature: the key, its secret, the clock. */
function signatureFix(connection: ConnectionRecord, message: string): string {
  if (clockSkewed(message))
    return "the server's clock is more than 15 minutes off AWS's: set it right (NTP)";
  const s = connection.settings;
  const clock =
    "and that the server's clock is right (AWS refuses a signature more than 15 minutes off)";
  switch (s.method) {
    case "access_key":
      return `check access key id ${s.accessKeyId} (it exists and is active in IAM), that the secret access key at ${s.secretPath} is that key's (store it again with switchboard secret set ${s.secretPath} --replace), ${clock}`;
    case "ambient":
      return `check the server's own credentials (AWS_ACCESS_KEY_ID and its secret, shared config, or the instance or task role), ${clock}`;
    default:
      return `the temporary credentials of ${s.roleArn} were not accepted: test the connection again (it fetches fresh ones), check the source identity's access key id and secret, ${clock}`;
  }
}

/** The allow-list entry an outbound refusal names in its details (outboundRefused). */
function allowEntryOf(error: unknown): string | undefined {
  if (!(error instanceof SwitchboardError)) return undefined;
  const allow = error.details?.[0]?.["allow"];
  return typeof allow === "string" ? allow : undefined;
}

/** An AWS (or Switchboard) error in words, with the fix a user would try first. */
export function explainAwsError(
  error: unknown,
  phase: TestPhase,
  connection: ConnectionRecord,
  /** `issuer`: Switchboard's OIDC issuer (SWITCHBOARD_PUBLIC_URL), for a web identity's failure. */
  options: { draft?: boolean; issuer?: string } = {},
): ExplainedError {
  const explained = explainError(error, phase, connection, options);
  // AWS accepts only an https issuer for an IAM OIDC provider: a plain-http one can never work,
  // whatever the error says, so the first fix is the URL.
  if (
    connection.settings.method === "web_identity" &&
    phase === "credentials" &&
    options.issuer?.startsWith("http://") === true
  )
    return {
      ...explained,
      fix: `Switchboard's OIDC issuer is ${options.issuer}, and AWS trusts only an https issuer: set SWITCHBOARD_PUBLIC_URL to an https address where AWS can fetch this server's OIDC documents (or publish them there with switchboard oidc publish). Then: ${explained.fix}`,
    };
  return explained;
}

function explainError(
  error: unknown,
  phase: TestPhase,
  connection: ConnectionRecord,
  options: { draft?: boolean },
): ExplainedError {
  const code = codeOf(error);
  const message = messageOf(error);
  const s = connection.settings;
  // A draft has no saved trust policy yet: the setup documents made for it show the one it needs.
  const trustPolicy =
    options.draft === true
      ? "the trust policy Switchboard made for this draft (shown beside the connection form)"
      : `connection ${connection.name}'s trust policy (on its page, or switchboard connection show ${connection.name} --trust-policy)`;
  const explain = (fix: string, more: Omit<ExplainedError, "code" | "message" | "fix"> = {}) => ({
    code,
    message,
    fix,
    ...more,
  });
  const aboutTrustPolicy = (fix: string) => explain(fix, { see: "trust-policy" });

  if (code === "OUTBOUND_REFUSED") {
    const allow = allowEntryOf(error);
    return explain(
      allow === undefined
        ? "Switchboard never sends requests to that address: change the endpoint"
        : `the host is not on the org's outbound allow-list: an org admin adds ${allow} under Settings → Outbound allow-list`,
      { see: "outbound-allow-list", ...(allow === undefined ? {} : { allow }) },
    );
  }
  if (code === "SECRET_UNREADABLE" || code === "NOT_FOUND") {
    return explain(
      s.method === "access_key"
        ? `the secret access key at ${s.secretPath} is missing or unreadable: store it again in the key store (switchboard secret set ${s.secretPath} --replace)`
        : "a key the connection needs is missing from the key store",
      { see: "key-store" },
    );
  }
  if (
    code === "AWS_UNREACHABLE" ||
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
    return aboutTrustPolicy(
      `two likely causes: the role ARN ${s.roleArn} is wrong (AWS answers AccessDenied, not "no such role", for a role that does not exist), or the role's trust policy does not allow this principal or ExternalId: compare it with ${trustPolicy} (the caller also needs sts:AssumeRole on the role)`,
    );
  }
  if (phase === "credentials" && s.method === "web_identity") {
    if (code === "InvalidIdentityToken" || code === "IDPRejectedClaim") {
      return aboutTrustPolicy(
        `AWS rejected the web identity token: the account needs an IAM OIDC provider for the issuer with the org's audience as client id, and AWS must be able to fetch the issuer's JWKS; compare with ${trustPolicy}`,
      );
    }
    if (code === "IDPCommunicationError") {
      return explain(
        "AWS could not fetch the issuer's OIDC documents: publish them where AWS can reach over HTTPS (switchboard oidc publish)",
      );
    }
    if (code === "AccessDenied") {
      return aboutTrustPolicy(
        `the role's trust policy does not accept this token's aud and sub: compare it with ${trustPolicy}`,
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
  // STS answers SignatureDoesNotMatch for a known key whose secret is not the one signed with
  // (an unknown key is InvalidClientTokenId), or for a clock that is off (its message says so).
  if (code === "SignatureDoesNotMatch" && s.method === "access_key" && !clockSkewed(message)) {
    return explain(
      `the secret access key at ${s.secretPath} does not belong to access key id ${s.accessKeyId}: store the right one with switchboard secret set ${s.secretPath} --replace (if it is right, check that the server's clock is within 15 minutes of AWS's)`,
    );
  }
  if (
    code === "AuthFailure" ||
    code === "SignatureDoesNotMatch" ||
    code === "InvalidSignatureException"
  ) {
    return explain(
      `AWS did not accept the request's signature: ${signatureFix(connection, message)}`,
    );
  }
  if (
    code === "AccessDenied" ||
    code === "AccessDeniedException" ||
    code === "UnauthorizedOperation"
  ) {
    return explain(
      `the identity lacks the permission: grant it in ${deniedIdentity(message, connection)}`,
    );
  }
  return explain("see the message from AWS");
}
