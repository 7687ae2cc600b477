import { recordAuditEvent } from "../audit/index.js";
import type { DbOrTx } from "../db/index.js";
import { Invalid } from "../errors.js";
import { newId } from "../ids.js";
import type { AccessDeps } from "./access-deps.js";
import { hashPassword } from "./passwords.js";
import { generateSecretToken, hashSecretToken } from "./secret-token.js";

const SETUP_LINK_TTL_MS = 24 * 3600 * 1000;

/**
 * Makes a one-time link for a user to set their password, replacing any earlier unused one.
 * The token rides in the URL fragment, which browsers never send to a server or its logs.
 */
export async function createSetupLink(
  tx: DbOrTx,
  deps: Pick<AccessDeps, "clock" | "publicUrl">,
  target: { orgId: string; userId: string },
): Promise<string> {
  const now = deps.clock.now();
  const token = generateSecretToken();
  await tx.deleteFrom("setup_links").where("user_id", "=", target.userId).execute();
  await tx
    .insertInto("setup_links")
    .values({
      id: newId(now.getTime()),
      org_id: target.orgId,
      user_id: target.userId,
      token_hash: hashSecretToken(token),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SETUP_LINK_TTL_MS).toISOString(),
      used_at: null,
    })
    .execute();
  return `${deps.publicUrl}/setup#token=${token}`;
}

/** Sets a password from a setup link; the link works once and for 24 hours. */
export async function useSetupLink(
  deps: AccessDeps,
  input: { token: string; password: string; sourceIp: string | null; requestId: string | null },
): Promise<void> {
  const now = deps.clock.now();
  const passwordHash = await hashPassword(input.password);
  await deps.db.transaction().execute(async (tx) => {
    const link = await tx
      .selectFrom("setup_links")
      .innerJoin("users", "users.id", "setup_links.user_id")
      .select([
        "setup_links.id",
        "setup_links.user_id",
        "setup_links.org_id",
        "setup_links.expires_at",
      ])
      .select(["setup_links.used_at", "users.name"])
      .where("setup_links.token_hash", "=", hashSecretToken(input.token))
      .executeTakeFirst();
    if (link === undefined || link.used_at !== null || link.expires_at <= now.toISOString()) {
      throw new Invalid("this setup link is unknown, used or expired; ask an admin for a new one", {
        code: "SETUP_LINK_INVALID",
        field: "token",
      });
    }
    await tx
      .updateTable("setup_links")
      .set({ used_at: now.toISOString() })
      .where("id", "=", link.id)
      .execute();
    await tx
      .updateTable("users")
      .set({ password_hash: passwordHash, updated_at: now.toISOString() })
      .where("id", "=", link.user_id)
      .execute();
    await recordAuditEvent(
      tx,
      {
        orgId: link.org_id,
        actor: `user:${link.name}`,
        sourceIp: input.sourceIp,
        requestId: input.requestId,
      },
      { action: "user.password.setup", objectType: "user", objectId: link.name },
      now,
    );
  });
}
