import { runSimulation } from "@cloud-copilot/iam-simulate";
import {
  createRemoteJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
} from "jose";
import { AwsError } from "../aws-error.js";
import type { SessionStore } from "../iam/session-store.js";
import { sessionPolicy } from "../iam/session-policy.js";
import type { PolicyDocument } from "../world/world-schema.js";
import type { OidcProvider, World } from "../world/world.js";
import {
  checkSessionName,
  credentialsOutput,
  issueRoleSession,
  sessionSeconds,
} from "./assume-role-session.js";
import { findRole } from "./find-role.js";
import { text } from "./input-text.js";

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/** Discovery documents and key sets per issuer, fetched over HTTP once per emulator. */
export class OidcKeyCache {
  private readonly keySets = new Map<string, Promise<KeySet>>();

  keySet(issuer: string): Promise<KeySet> {
    let keySet = this.keySets.get(issuer);
    if (keySet === undefined) {
      keySet = discover(issuer);
      this.keySets.set(issuer, keySet);
      // A failed discovery is retried on the next call rather than cached.
      keySet.catch(() => this.keySets.delete(issuer));
    }
    return keySet;
  }
}

const IDP_UNREACHABLE = new AwsError(
  "IDPCommunicationError",
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
  400,
);

async function discover(issuer: string): Promise<KeySet> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`).catch(() => undefined);
  if (response?.ok !== true) throw IDP_UNREACHABLE;
  const config = (await response.json()) as { jwks_uri?: unknown };
  if (typeof config.jwks_uri !== "string") throw IDP_UNREACHABLE;
  return createRemoteJWKSet(new URL(config.jwks_uri));
}

const CLAIM_KEY_PREFIX = "aws:PrincipalTag/emulator-oidc/";

// iam-simulate only accepts the OIDC condition keys of a few well-known issuers, so the
// `<host-and-path>:<claim>` keys of the world's own providers are renamed, in the trust policy and
// the request alike, to a global key that it evaluates with the same operators.
function renameClaimKeys(trust: PolicyDocument, hostAndPath: string): unknown {
  const prefix = `${hostAndPath.toLowerCase()}:`;
  const statements = Array.isArray(trust.Statement) ? trust.Statement : [trust.Statement];
  return {
    ...trust,
    Statement: statements.map((statement) => {
      const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
      if (condition === undefined) return statement;
      const renamed: Record<string, Record<string, unknown>> = {};
      for (const [operator, keys] of Object.entries(condition)) {
        renamed[operator] = {};
        for (const [key, value] of Object.entries(keys)) {
          const lower = key.toLowerCase();
          renamed[operator][
            lower.startsWith(prefix) ? `${CLAIM_KEY_PREFIX}${lower.slice(prefix.length)}` : key
          ] = value;
        }
      }
      return { ...statement, Condition: renamed };
    }),
  };
}

function claimContext(payload: JWTPayload): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {};
  const aud = payload.aud;
  if (aud !== undefined) context[`${CLAIM_KEY_PREFIX}aud`] = Array.isArray(aud) ? aud : aud;
  if (typeof payload.sub === "string") context[`${CLAIM_KEY_PREFIX}sub`] = payload.sub;
  if (typeof payload.amr === "string" || Array.isArray(payload.amr))
    context[`${CLAIM_KEY_PREFIX}amr`] = payload.amr as string | string[];
  return context;
}

export type WebIdentityDeps = {
  world: World;
  sessions: SessionStore;
  keys: OidcKeyCache;
  now: () => Date;
};

/** sts:AssumeRoleWithWebIdentity: an unsigned call whose proof is the identity token itself. */
export async function assumeRoleWithWebIdentity(
  deps: WebIdentityDeps,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const roleArn = text(input.RoleArn);
  const sessionName = text(input.RoleSessionName);
  checkSessionName(sessionName);
  const policy = sessionPolicy(input);
  const token = text(input.WebIdentityToken);
  let unverified: JWTPayload;
  try {
    unverified = decodeJwt(token);
  } catch {
    throw new AwsError(
      "InvalidIdentityToken",
      "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
      400,
    );
  }
  const denied = new AwsError(
    "AccessDenied",
    "Not authorized to perform sts:AssumeRoleWithWebIdentity",
    403,
  );
  const role = findRole(deps.world, roleArn);
  if (role === undefined) throw denied;
  const account = deps.world.accounts.get(role.accountId);
  const issuer = text(unverified.iss).replace(/\/$/, "");
  const provider: OidcProvider | undefined = account?.oidcProviders.find((p) => p.url === issuer);
  if (provider === undefined)
    throw new AwsError(
      "InvalidIdentityToken",
      `No OpenIDConnect provider found in your account for ${issuer}`,
      400,
    );
  const keySet = await deps.keys.keySet(provider.url);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keySet, {
      issuer: unverified.iss ?? provider.url,
      currentDate: deps.now(),
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired)
      throw new AwsError(
        "ExpiredTokenException",
        `Token expired: current date/time ${Math.floor(deps.now().getTime() / 1000)} must be before the expiration date/time ${String(unverified.exp)}`,
        400,
      );
    if (
      error instanceof joseErrors.JWKSNoMatchingKey ||
      error instanceof joseErrors.JWKSTimeout ||
      error instanceof joseErrors.JWKSInvalid
    )
      throw new AwsError(
        "InvalidIdentityToken",
        "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
        400,
      );
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "nbf")
      throw new AwsError("InvalidIdentityToken", "Token is not yet valid (nbf)", 400);
    throw new AwsError(
      "InvalidIdentityToken",
      "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.",
      400,
    );
  }
  const audiences = Array.isArray(payload.aud)
    ? payload.aud
    : payload.aud === undefined
      ? []
      : [payload.aud];
  if (!audiences.some((a) => provider.clientIds.includes(a)))
    throw new AwsError("InvalidIdentityToken", "Incorrect token audience", 400);

  const simulation = await runSimulation(
    {
      request: {
        principal: provider.arn,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: { resource: role.arn, accountId: role.accountId },
        contextVariables: { ...claimContext(payload), "sts:RoleSessionName": sessionName },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: renameClaimKeys(role.trust, provider.hostAndPath),
    },
    {},
  );
  if (simulation.resultType === "error" || simulation.overallResult !== "Allowed") throw denied;
  const seconds = sessionSeconds(role, input.DurationSeconds, false);
  const expiration = new Date(deps.now().getTime() + seconds * 1000);
  const session = issueRoleSession(deps.sessions, role, sessionName, policy, false, expiration);
  return {
    ...credentialsOutput(session),
    SubjectFromWebIdentityToken: payload.sub,
    Audience: audiences[0],
    Provider: payload.iss,
  };
}
