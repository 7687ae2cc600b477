import type { Kysely, Migration } from "kysely";

/** The role session each target's calls were made in, to find them in CloudTrail. */
export const runTargetSessions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("run_targets").addColumn("aws_session", "text").execute();
  },
};
