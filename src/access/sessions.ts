import { recordAuditEvent } from "../audit/index.js";
import { Forbidden, Unauthenticated } from "../errors.js";
import { newId } from "../ids.js";
import type { AccessDeps } from "./access-deps.js";
import { burnPasswordCheck, verifyPassword } from "./passwords.js";
import type { Principal, RequestContext } from "../request-types.js";
import { claimSignInAttempt, SignInRateLimited, type SignInClaim } from "./sign-in-limits.js";
import type { User } from "./schemas.js";
import { generateSecretToken, hashSecretToken, sameHash } from "./secret-token.js";
import { toUser } from "./users.js";

export interface LoginInput {
  org: string;
  username: string;
  password: string;
  sourceIp: string | null;
  requestId: string | null;
}

export interface LoginResult {
  sessionToken: string;
  csrfToken: string;
  user: User;
  org: string;
  expiresAt: string;
  maxAgeSeconds: number;
}

const INVALID = () =>
  new Unauthenticated("the user name or password is wrong", { code: "INVALID_CREDENTIALS" });

/**
 * Signs a user in. The attempt is claimed against the limits (per user name and per address)
 * before any password is checked, so parallel guesses cannot all slip past a count taken before
 * any of them failed; a right password hands its attempt back. Failures and refusals are audited.
 */
export async function login(deps: AccessDeps, input: LoginInput): Promise<LoginResult> {
  const now = deps.clock.now();
  const verify = deps.verifyPassword ?? verifyPassword;
  const org = await deps.db
    .selectFrom("orgs")
    .selectAll()
    .where("name", "=", input.org)
    .executeTakeFirst();
  const context: RequestContext | undefined =
    org === undefined
      ? undefined
      : {
          orgId: org.id,
          actor: `user:${input.username}`,
          sourceIp: input.sourceIp,
          requestId: input.requestId,
        };
  let claim: SignInClaim;
  try {
    claim = await claimSignInAttempt(deps.db, input, now);
  } catch (error) {
    if (error instanceof SignInRateLimited && context !== undefined) {
      await recordAuditEvent(
        deps.db,
        context,
        { action: "auth.login", outcome: "denied", detail: { reason: "rate limited" } },
        now,
      );
    }
    throw error;
  }
  if (org === undefined || context === undefined) {
    await burnPasswordCheck(input.password, verify);
    throw INVALID();
  }

  const user = await deps.db
    .selectFrom("users")
    .selectAll()
    .where("org_id", "=", org.id)
    .where("name", "=", input.username)
    .executeTakeFirst();
  const ok =
    user?.password_hash == null
      ? (await burnPasswordCheck(input.password, verify), false)
      : await verify(user.password_hash, input.password);
  if (user === undefined || !ok) {
    await recordAuditEvent(deps.db, context, { action: "auth.login", outcome: "failure" }, now);
    throw INVALID();
  }
  await claim.release();

  const sessionToken = generateSecretToken();
  const csrfToken = generateSecretToken();
  const expiresAt = new Date(now.getTime() + deps.sessionMaxAgeSeconds * 1000).toISOString();
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .insertInto("sessions")
      .values({
        id: newId(now.getTime()),
        org_id: org.id,
        user_id: user.id,
        token_hash: hashSecretToken(sessionToken),
        csrf_hash: hashSecretToken(csrfToken),
        source_ip: input.sourceIp,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        last_seen_at: now.toISOString(),
      })
      .execute();
    await recordAuditEvent(
      tx,
      context,
      { action: "auth.login", objectType: "user", objectId: user.name },
      now,
    );
  });
  return {
    sessionToken,
    csrfToken,
    user: toUser(user),
    org: org.name,
    expiresAt,
    maxAgeSeconds: deps.sessionMaxAgeSeconds,
  };
}

export async function logout(
  deps: AccessDeps,
  context: RequestContext,
  principal: Principal,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    if (principal.sessionId !== undefined) {
      await tx.deleteFrom("sessions").where("id", "=", principal.sessionId).execute();
    }
    await recordAuditEvent(
      tx,
      context,
      { action: "auth.logout", objectType: "user", objectId: principal.userName },
      now,
    );
  });
}

/**
 * Resolves a session cookie. A mutating request must also carry the session's CSRF token
 * in X-CSRF-Token: a cross-site form can send the cookie but cannot read the token.
 */
export async function authenticateSession(
  deps: AccessDeps,
  sessionToken: string,
  csrf: { required: boolean; token: string | undefined },
): Promise<Principal> {
  const now = deps.clock.now();
  const row = await deps.db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .innerJoin("orgs", "orgs.id", "sessions.org_id")
    .select(["sessions.id", "sessions.csrf_hash", "sessions.expires_at"])
    .select(["users.id as user_id", "users.name as user_name", "users.role", "orgs.id as org_id"])
    .select("orgs.name as org_name")
    .where("sessions.token_hash", "=", hashSecretToken(sessionToken))
    .executeTakeFirst();
  if (row === undefined || row.expires_at <= now.toISOString()) {
    throw new Unauthenticated("the session ended; sign in again");
  }
  if (
    csrf.required &&
    (csrf.token === undefined || !sameHash(hashSecretToken(csrf.token), row.csrf_hash))
  ) {
    throw new Forbidden("missing or wrong X-CSRF-Token header for this session", {
      code: "CSRF_TOKEN_INVALID",
    });
  }
  return {
    orgId: row.org_id,
    orgName: row.org_name,
    userId: row.user_id,
    userName: row.user_name,
    role: row.role,
    via: "session",
    sessionId: row.id,
  };
}
