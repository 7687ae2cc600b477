import { recordAuditEvent } from "../audit/index.js";
import type { DbOrTx } from "../db/index.js";
import { Invalid, NotFound, Unauthenticated } from "../errors.js";
import { newId } from "../ids.js";
import type { AccessDeps } from "./access-deps.js";
import type { Principal, RequestContext } from "../request-types.js";
import type { ApiToken, CreateTokenInput } from "./schemas.js";
import { generateSecretToken, hashSecretToken, tokenPrefix } from "./secret-token.js";
import type { ApiTokenTable } from "./tables.js";

// Writing last_used_at on every request would turn each read into a write.
const LAST_USED_RESOLUTION_MS = 60_000;

function toApiToken(row: ApiTokenTable, userName: string): ApiToken {
  return {
    id: row.id,
    name: row.name,
    user: userName,
    prefix: row.prefix,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

/** Stores an API token for a user and returns the secret, which is never shown again. */
export async function insertApiToken(
  db: DbOrTx,
  owner: { orgId: string; userId: string },
  input: { name: string; secret: string; expiresAt: string | null },
  now: Date,
): Promise<ApiTokenTable> {
  const row: ApiTokenTable = {
    id: newId(now.getTime()),
    org_id: owner.orgId,
    user_id: owner.userId,
    name: input.name,
    token_hash: hashSecretToken(input.secret),
    prefix: tokenPrefix(input.secret),
    created_at: now.toISOString(),
    expires_at: input.expiresAt,
    revoked_at: null,
    last_used_at: null,
  };
  await db.insertInto("api_tokens").values(row).execute();
  return row;
}

export async function createApiToken(
  deps: AccessDeps,
  context: RequestContext,
  principal: Principal,
  input: CreateTokenInput,
): Promise<{ token: ApiToken; secret: string }> {
  const now = deps.clock.now();
  const secret = generateSecretToken();
  const requested =
    input.expiresInDays === null
      ? null
      : new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString();
  return deps.db.transaction().execute(async (tx) => {
    const expiresAt = await cappedByParentToken(tx, principal, requested);
    const row = await insertApiToken(
      tx,
      { orgId: principal.orgId, userId: principal.userId },
      { name: input.name, secret, expiresAt },
      now,
    );
    await recordAuditEvent(
      tx,
      context,
      {
        action: "token.create",
        objectType: "token",
        objectId: row.id,
        detail: { name: row.name, expiresAt },
      },
      now,
    );
    return { token: toApiToken(row, principal.userName), secret };
  });
}

/**
 * A token created with an API token expires no later than that token: otherwise a stolen token
 * would mint one that outlives it (or never expires). A browser session, where the password was
 * typed, may create any expiry.
 */
async function cappedByParentToken(
  db: DbOrTx,
  principal: Principal,
  requested: string | null,
): Promise<string | null> {
  if (principal.via !== "token" || principal.tokenId === undefined) return requested;
  const parent = await db
    .selectFrom("api_tokens")
    .select("expires_at")
    .where("id", "=", principal.tokenId)
    .executeTakeFirst();
  const limit = parent?.expires_at ?? null;
  if (limit === null) return requested;
  if (requested === null)
    throw new Invalid(
      `expiresInDays: a token created with an API token cannot outlive it (it expires at ${limit}): give a number of days, or create a token that never expires from a browser session`,
      { field: "expiresInDays" },
    );
  return Date.parse(requested) > Date.parse(limit) ? limit : requested;
}

/** A user's own tokens; an admin may ask for every token in the org. */
export async function listApiTokens(
  db: DbOrTx,
  principal: Principal,
  page: { limit: number; beforeId?: string | undefined; all: boolean },
): Promise<ApiToken[]> {
  let q = db
    .selectFrom("api_tokens")
    .innerJoin("users", "users.id", "api_tokens.user_id")
    .selectAll("api_tokens")
    .select("users.name as user_name")
    .where("api_tokens.org_id", "=", principal.orgId);
  if (!(page.all && principal.role === "admin"))
    q = q.where("api_tokens.user_id", "=", principal.userId);
  if (page.beforeId !== undefined) q = q.where("api_tokens.id", "<", page.beforeId);
  const rows = await q
    .orderBy("api_tokens.id", "desc")
    .limit(page.limit + 1)
    .execute();
  return rows.map((r) => toApiToken(r, r.user_name));
}

/** Revokes a token: one's own, or any in the org for an admin. Others' tokens are not found. */
export async function revokeApiToken(
  deps: AccessDeps,
  context: RequestContext,
  principal: Principal,
  tokenId: string,
): Promise<ApiToken> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    let q = tx
      .selectFrom("api_tokens")
      .innerJoin("users", "users.id", "api_tokens.user_id")
      .selectAll("api_tokens")
      .select("users.name as user_name")
      .where("api_tokens.org_id", "=", principal.orgId)
      .where("api_tokens.id", "=", tokenId);
    if (principal.role !== "admin") q = q.where("api_tokens.user_id", "=", principal.userId);
    const row = await q.executeTakeFirst();
    if (row === undefined) throw new NotFound(`token ${tokenId}`);
    const revokedAt = row.revoked_at ?? now.toISOString();
    await tx
      .updateTable("api_tokens")
      .set({ revoked_at: revokedAt })
      .where("id", "=", row.id)
      .execute();
    await recordAuditEvent(
      tx,
      context,
      { action: "token.revoke", objectType: "token", objectId: row.id, detail: { name: row.name } },
      now,
    );
    return toApiToken({ ...row, revoked_at: revokedAt }, row.user_name);
  });
}

/** Resolves a bearer token to its principal, or says why it cannot be used. */
export async function authenticateApiToken(deps: AccessDeps, secret: string): Promise<Principal> {
  const now = deps.clock.now();
  const row = await deps.db
    .selectFrom("api_tokens")
    .innerJoin("users", "users.id", "api_tokens.user_id")
    .innerJoin("orgs", "orgs.id", "api_tokens.org_id")
    .select([
      "api_tokens.id",
      "api_tokens.expires_at",
      "api_tokens.revoked_at",
      "api_tokens.last_used_at",
    ])
    .select(["users.id as user_id", "users.name as user_name", "users.role", "orgs.id as org_id"])
    .select("orgs.name as org_name")
    .where("api_tokens.token_hash", "=", hashSecretToken(secret))
    .executeTakeFirst();
  if (row === undefined) {
    throw new Unauthenticated("the API token is not valid", { code: "INVALID_CREDENTIALS" });
  }
  if (row.revoked_at !== null) {
    throw new Unauthenticated("the API token was revoked; create a new one", {
      code: "TOKEN_REVOKED",
    });
  }
  if (row.expires_at !== null && row.expires_at <= now.toISOString()) {
    throw new Unauthenticated(`the API token expired at ${row.expires_at}; create a new one`, {
      code: "TOKEN_EXPIRED",
    });
  }
  if (
    row.last_used_at === null ||
    now.getTime() - Date.parse(row.last_used_at) > LAST_USED_RESOLUTION_MS
  ) {
    await deps.db
      .updateTable("api_tokens")
      .set({ last_used_at: now.toISOString() })
      .where("id", "=", row.id)
      .execute();
  }
  return {
    orgId: row.org_id,
    orgName: row.org_name,
    userId: row.user_id,
    userName: row.user_name,
    role: row.role,
    via: "token",
    tokenId: row.id,
  };
}
