import type { Kysely, Migration } from "kysely";

/**
 * Sign-in attempts per user and per address, claimed before a password is checked (see
 * src/access/sign-in-limits.ts): one row per key, counting the attempts of its current window.
 */
export const signInAttempts: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("sign_in_limits")
      // "user:<org>/<user name>" as typed (whether or not they exist), or "address:<ip>".
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("window_start", "text", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("sign_in_limits_window_idx")
      .on("sign_in_limits")
      .column("window_start")
      .execute();
  },
};
