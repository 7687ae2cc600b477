import type { Command } from "commander";
import { loadConfig } from "../../config.js";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("run the API, the web UI and the workers in this process")
    .action(async () => {
      // A bad setting is reported before the server is loaded.
      const config = loadConfig();
      // Loaded here, not at the top: every other command is a small API client, and loading
      // the server (AWS SDK clients, Fastify, the engine) took most of its start time.
      const { startServer } = await import("../../main.js");
      const server = await startServer(config);
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
