import type { FastifyBaseLogger } from "fastify";
import { recordAuditEvent } from "../audit/index.js";
import { newId } from "../ids.js";
import type { AccessDeps } from "./access-deps.js";
import { hashSecretToken } from "./secret-token.js";
import { createSetupLink } from "./setup-links.js";
import { insertApiToken } from "./tokens.js";

export const DEFAULT_ORG = "default";
export const FIRST_ADMIN = "admin";

/**
 * First start: creates the org `default` and the user `admin`. With a bootstrap token,
 * makes sure an admin API token with exactly that value exists (idempotent across restarts);
 * otherwise, while admin has no password, prints a one-time link to set it.
 */
export async function bootstrap(
  deps: AccessDeps & { logger: FastifyBaseLogger },
  options: { bootstrapToken: string | undefined },
): Promise<void> {
  const now = deps.clock.now();
  const system = { actor: "system", sourceIp: null, requestId: null };
  const setupUrl = await deps.db.transaction().execute(async (tx) => {
    let org = await tx
      .selectFrom("orgs")
      .selectAll()
      .where("name", "=", DEFAULT_ORG)
      .executeTakeFirst();
    if (org === undefined) {
      org = { id: newId(now.getTime()), name: DEFAULT_ORG, created_at: now.toISOString() };
      await tx.insertInto("orgs").values(org).execute();
      await recordAuditEvent(
        tx,
        { ...system, orgId: org.id },
        { action: "org.create", objectType: "org", objectId: org.name },
        now,
      );
    }
    let admin = await tx
      .selectFrom("users")
      .selectAll()
      .where("org_id", "=", org.id)
      .where("name", "=", FIRST_ADMIN)
      .executeTakeFirst();
    if (admin === undefined) {
      const anyAdmin = await tx
        .selectFrom("users")
        .select("id")
        .where("org_id", "=", org.id)
        .where("role", "=", "admin")
        .executeTakeFirst();
      // Someone renamed or replaced the first admin: do not bring it back.
      if (anyAdmin !== undefined) return null;
      admin = {
        id: newId(now.getTime()),
        org_id: org.id,
        name: FIRST_ADMIN,
        display_name: "Administrator",
        role: "admin",
        password_hash: null,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      };
      await tx.insertInto("users").values(admin).execute();
      await recordAuditEvent(
        tx,
        { ...system, orgId: org.id },
        {
          action: "user.create",
          objectType: "user",
          objectId: admin.name,
          detail: { role: "admin" },
        },
        now,
      );
    }
    if (options.bootstrapToken !== undefined) {
      const existing = await tx
        .selectFrom("api_tokens")
        .select("id")
        .where("token_hash", "=", hashSecretToken(options.bootstrapToken))
        .executeTakeFirst();
      if (existing === undefined) {
        const row = await insertApiToken(
          tx,
          { orgId: org.id, userId: admin.id },
          { name: "bootstrap", secret: options.bootstrapToken, expiresAt: null },
          now,
        );
        await recordAuditEvent(
          tx,
          { ...system, orgId: org.id },
          {
            action: "token.create",
            objectType: "token",
            objectId: row.id,
            detail: { name: "bootstrap" },
          },
          now,
        );
      }
      return null;
    }
    if (admin.password_hash === null)
      return createSetupLink(tx, deps, { orgId: org.id, userId: admin.id });
    return null;
  });
  if (setupUrl !== null) {
    deps.logger.warn({ setupUrl }, `set the admin password within 24 hours at ${setupUrl}`);
  }
}
