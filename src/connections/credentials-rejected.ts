/**
 * The codes AWS answers when it refuses the credentials themselves — unknown (revoked, or issued
 * by an endpoint that has since restarted), expired, malformed, or signed with a secret that is
 * not the key's — rather than what they may do. Each family has its own: STS and IAM
 * (InvalidClientTokenId, ExpiredToken, SignatureDoesNotMatch), EC2 (AuthFailure, RequestExpired
 * for a stale session), JSON services (UnrecognizedClientException, ExpiredTokenException,
 * InvalidSignatureException), S3 (InvalidAccessKeyId, InvalidToken, ExpiredToken,
 * TokenRefreshRequired).
 */
const REJECTED_CREDENTIALS = new Set([
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "AuthFailure",
  "InvalidToken",
  "RequestExpired",
  "InvalidAccessKeyId",
  "TokenRefreshRequired",
  "SignatureDoesNotMatch",
  "InvalidSignatureException",
]);

/**
 * Whether AWS refused a call because of the credentials it was signed with, so that the same call
 * with freshly obtained credentials may succeed. The one place that says so.
 */
export function credentialsRejected(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, Code } = error as { name?: unknown; Code?: unknown };
  const code = typeof Code === "string" ? Code : name;
  // Only an answer from AWS: a credential provider's own failure has no HTTP status.
  const status = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  return typeof code === "string" && REJECTED_CREDENTIALS.has(code) && typeof status === "number";
}
