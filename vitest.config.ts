import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "emulator/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    // Two at once even on two cores: the slowest files mostly wait (server processes starting,
    // a killed worker's lease running out, a cron slot), and one at a time took 15 minutes.
    // Three at once was slower on two cores (572 s against 528 s).
    maxWorkers: 2,
    // Files in one worker share loaded modules: each file importing the server, the SDK clients
    // and the emulator anew took 280 s of the run (of about 690). Every file still builds its
    // own app, databases and emulator, and restores any process.env it changes.
    isolate: false,
    // Generous: CLI tests start Node processes, and CI has two cores shared with PostgreSQL.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: ".vitest-report.json" }]]
      : ["default"],
  },
});
