import type { Command } from "commander";
import { loadConfig } from "../../config.js";
import { startServer } from "../../main.js";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("run the API, the web UI and the workers in this process")
    .action(async () => {
      const server = await startServer(loadConfig());
      const stop = (signal: string) => {
        server.app.log.info({ signal }, "shutting down");
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            server.app.log.error({ err }, "shutdown failed");
            process.exit(1);
          },
        );
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
}
