import type { Command } from "commander";
import { loadConfig } from "../../config.js";

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description(
      "run workflow and action work only (no API): add as many as you like on PostgreSQL",
    )
    .action(async () => {
      // A bad setting is reported before the server is loaded.
      const config = loadConfig();
      // Loaded only for this command, as serve does (the other commands are API clients).
      const { startWorker } = await import("../../main.js");
      const worker = await startWorker(config);
      const stop = () => {
        worker.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
    });
}
