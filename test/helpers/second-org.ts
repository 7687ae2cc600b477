import type { Db } from "../../src/db/index.js";
import { newId } from "../../src/ids.js";
import { createHash } from "node:crypto";

/**
 * Another tenant in the same install, made directly in the database (there is no API to
 * create orgs yet): an org, its admin, a team and an API token.
 */
export async function createSecondOrg(
  db: Db,
  name = "other",
): Promise<{ token: string; orgId: string }> {
  const now = new Date().toISOString();
  const orgId = newId();
  const userId = newId();
  const token = `sb_${name}_org_admin_token`;
  await db.insertInto("orgs").values({ id: orgId, name, created_at: now }).execute();
  await db
    .insertInto("users")
    .values({
      id: userId,
      org_id: orgId,
      name: "carol",
      display_name: null,
      role: "admin",
      password_hash: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto("teams")
    .values({ id: newId(), org_id: orgId, name: "secret-team", created_at: now })
    .execute();
  await db
    .insertInto("api_tokens")
    .values({
      id: newId(),
      org_id: orgId,
      user_id: userId,
      name: "t",
      token_hash: createHash("sha256").update(token).digest("hex"),
      prefix: token.slice(0, 7),
      created_at: now,
      expires_at: null,
      revoked_at: null,
      last_used_at: null,
    })
    .execute();
  return { token, orgId };
}
