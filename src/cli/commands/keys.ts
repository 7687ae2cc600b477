import type { Command } from "commander";
import { keyringSources, loadConfig } from "../../config.js";

export function registerKeys(program: Command): void {
  const keys = program
    .command("keys")
    .description("the key store's master key (acts locally, like migrate)");

  keys
    .command("rotate-master")
    .description("re-wrap every data key with a new master key; safe to run again after a crash")
    .action(async () => {
      // Loaded only for this command, as serve does (the other commands are API clients).
      const { createDb, migrateToLatest } = await import("../../db/index.js");
      const { rotateMasterKey } = await import("../../keystore/index.js");
      const config = loadConfig();
      const database = createDb(config.database);
      try {
        await migrateToLatest(database.db);
        const result = await rotateMasterKey(database.db, keyringSources(config), {
          afterRow: (done) => {
            if (done % 100 === 0) process.stderr.write(`re-wrapped ${done} data keys\n`);
          },
        });
        process.stdout.write(
          `re-wrapped ${result.rewrapped} data keys; master key is now ${result.keyId}\n`,
        );
        if (result.next !== null) process.stdout.write(`next: ${result.next}\n`);
      } finally {
        await database.destroy();
      }
    });
}
