import type { Command } from "commander";
import { loadConfig } from "../../config.js";

export function registerMigrate(program: Command): void {
  program
    .command("migrate")
    .description("apply database migrations (serve also applies them at start)")
    .action(async () => {
      // Loaded only for this command, as serve does (the other commands are API clients).
      const { createDb, migrateToLatest } = await import("../../db/index.js");
      const config = loadConfig();
      const database = createDb(config.database);
      try {
        const { applied } = await migrateToLatest(database.db);
        process.stdout.write(
          applied.length === 0 ? "database is up to date\n" : `applied: ${applied.join(", ")}\n`,
        );
      } finally {
        await database.destroy();
      }
    });
}
