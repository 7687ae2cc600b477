import type { Kysely, Migration } from "kysely";

/**
 * The connections a run went to, read by every run list and run page: an index walk of the first
 * few names instead of grouping all of a run's targets (17,000 in a large fan-out) on every look.
 */
export const runTargetConnections: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex("run_targets_connections")
      .on("run_targets")
      .columns(["run_id", "connection_name"])
      .execute();
  },
};
