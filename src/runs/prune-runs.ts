import type { Db } from "../db/index.js";

const BATCH = 500;

/**
 * Deletes runs that finished more than `retentionDays` ago, in batches of 500 so no transaction
 * holds the tables for long (steps, targets and attempts go with their run). Returns how many.
 */
export async function pruneRuns(
  db: Db,
  now: Date,
  retentionDays: number,
  options: { maxBatches?: number } = {},
): Promise<number> {
  const before = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  let pruned = 0;
  for (let batch = 0; batch < (options.maxBatches ?? 10_000); batch += 1) {
    const ids = (
      await db
        .selectFrom("runs")
        .select("id")
        .where("finished_at", "is not", null)
        .where("finished_at", "<", before)
        .orderBy("id")
        .limit(BATCH)
        .execute()
    ).map((r) => r.id);
    if (ids.length === 0) break;
    await db.transaction().execute(async (tx) => {
      // Children first: SQLite enforces the cascade only with foreign keys on.
      await tx.deleteFrom("run_target_attempts").where("run_id", "in", ids).execute();
      await tx.deleteFrom("run_targets").where("run_id", "in", ids).execute();
      await tx.deleteFrom("run_steps").where("run_id", "in", ids).execute();
      await tx.deleteFrom("runs").where("id", "in", ids).execute();
    });
    pruned += ids.length;
  }
  return pruned;
}
