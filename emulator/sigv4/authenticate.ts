import { createHash, timingSafeEqual } from "node:crypto";
import { AwsError } from "../aws-error.js";
import type { Principal } from "../iam/principal.js";
import type { SessionStore } from "../iam/session-store.js";
import type { Protocol } from "../model/service-model.js";
import { authErrors } from "../protocols/service-errors.js";
import { optInStatus, type World } from "../world/world.js";
import {
  computeSignature,
  parseAmzDate,
  type SignableRequest,
  type SignatureVerifiers,
} from "./compute-signature.js";
import type { SigV4Authorization } from "./parse-authorization.js";

const MAX_SKEW_MS = 15 * 60_000;

function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

export type AuthenticateDeps = {
  world: World;
  sessions: SessionStore;
  verifiers: SignatureVerifiers;
  now: () => Date;
};

/**
 * Verifies a SigV4-signed request as AWS does and returns who sent it: the clock, the key, the
 * session token and its expiry, the payload hash, then the signature recomputed from the secret.
 */
export async function authenticate(
  deps: AuthenticateDeps,
  request: SignableRequest,
  auth: SigV4Authorization,
  protocol: Protocol,
): Promise<Principal> {
  const { service } = auth;
  const { presigned } = auth;
  const header = request.headers["x-amz-date"];
  const longDate = presigned?.longDate ?? (typeof header === "string" ? header : "");
  const signingDate = parseAmzDate(longDate);
  // The scope's date must be the signing date's, and the host (and a header date) always signed.
  if (
    signingDate === undefined ||
    longDate.slice(0, 8) !== auth.shortDate ||
    !auth.signedHeaders.includes("host") ||
    (presigned === undefined && !auth.signedHeaders.includes("x-amz-date"))
  )
    throw authErrors.signatureMismatch(service, protocol);
  const now = deps.now();
  if (presigned !== undefined) {
    const { expiresSeconds } = presigned;
    if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > 604800)
      throw new AwsError(
        "AuthorizationQueryParametersError",
        "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        400,
      );
    if (signingDate.getTime() + expiresSeconds * 1000 < now.getTime())
      throw service === "s3"
        ? new AwsError("AccessDenied", "Request has expired", 403)
        : authErrors.expiredToken(service, protocol);
  }
  // A presigned URL is checked against its expiry instead of the 15-minute window.
  const skew = presigned !== undefined ? 0 : signingDate.getTime() - now.getTime();
  if (skew < -MAX_SKEW_MS)
    throw authErrors.clockSkew(
      service,
      protocol,
      `Signature expired: ${amzDate(signingDate)} is now earlier than ${amzDate(new Date(now.getTime() - MAX_SKEW_MS))} (${amzDate(now)} - 15 min.)`,
    );
  if (skew > MAX_SKEW_MS)
    throw authErrors.clockSkew(
      service,
      protocol,
      `Signature not yet current: ${amzDate(signingDate)} is still later than ${amzDate(new Date(now.getTime() + MAX_SKEW_MS))} (${amzDate(now)} + 15 min.)`,
    );

  let secret: string;
  let principal: Principal;
  const staticKey = deps.world.accessKeys.get(auth.accessKeyId);
  if (staticKey !== undefined) {
    secret = staticKey.secret;
    const { user } = staticKey;
    principal = {
      kind: "user",
      arn: user.arn,
      accountId: user.accountId,
      userId: user.uniqueId,
      user,
    };
  } else {
    const session = deps.sessions.get(auth.accessKeyId);
    if (session === undefined) throw authErrors.unknownAccessKey(service, protocol);
    const token = presigned?.sessionToken ?? request.headers["x-amz-security-token"];
    if (token !== session.sessionToken) throw authErrors.invalidSessionToken(service, protocol);
    if (session.expiration.getTime() <= now.getTime())
      throw authErrors.expiredToken(service, protocol);
    secret = session.secretAccessKey;
    principal = session.principal;
  }

  // Credentials exist only in the regions their account has: in an opt-in region it has not
  // enabled, AWS knows neither the key nor the session, whatever the signature.
  const account = deps.world.accounts.get(principal.accountId);
  if (account !== undefined && optInStatus(deps.world, account, auth.region) === "not-opted-in")
    throw authErrors.unknownAccessKey(service, protocol);

  const payloadHash = request.headers["x-amz-content-sha256"];
  if (typeof payloadHash === "string" && /^[0-9a-f]{64}$/.test(payloadHash)) {
    const actual = createHash("sha256").update(request.body).digest("hex");
    // Only S3 treats the header as a claim to check; elsewhere the body itself is what is signed.
    if (actual !== payloadHash && service !== "s3")
      throw authErrors.signatureMismatch(service, protocol);
    if (actual !== payloadHash)
      throw new AwsError(
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        400,
      );
  }
  const expected = await computeSignature(request, auth, secret, longDate, deps.verifiers);
  if (
    expected.signature.length !== auth.signature.length ||
    !timingSafeEqual(Buffer.from(expected.signature), Buffer.from(auth.signature))
  )
    throw authErrors.signatureMismatch(service, protocol, {
      accessKeyId: auth.accessKeyId,
      signatureProvided: auth.signature,
      canonicalRequest: expected.canonicalRequest,
      stringToSign: expected.stringToSign,
    });
  return principal;
}
