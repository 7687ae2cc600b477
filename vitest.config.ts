import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "emulator/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    // Two at once even on two cores: the slowest files mostly wait (server processes starting,
    // a killed worker's lease running out, a cron slot), and one at a time took 15 minutes.
    maxWorkers: 2,
    // Generous: CLI tests start Node processes, and CI has two cores shared with PostgreSQL.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: ".vitest-report.json" }]]
      : ["default"],
  },
});
