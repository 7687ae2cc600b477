import { CostExplorerClient, GetCostAndUsageCommand } from "@aws-sdk/client-cost-explorer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { KEYS, MAIN, testWorld } from "./test-world.js";

let emulator: Emulator;
const ce = (region = "us-east-1") =>
  new CostExplorerClient({ endpoint: emulator.url, region, credentials: KEYS.reader });

beforeAll(async () => {
  const world = testWorld();
  const main = world.accounts.find((a) => a.id === MAIN);
  if (main === undefined) throw new Error("fixture changed");
  main.resources = {
    ...main.resources,
    global: {
      ...main.resources?.global,
      ce: {
        MonthlyCosts: [
          {
            Month: "2026-10",
            Services: {
              "Amazon Elastic Compute Cloud - Compute": "310",
              "Amazon Relational Database Service": "124",
            },
          },
          { Month: "2026-11", Services: { "Amazon Elastic Compute Cloud - Compute": "300" } },
        ],
      },
    },
  };
  emulator = await startEmulator({ world });
});
afterAll(async () => {
  await emulator.close();
});

describe("ce:GetCostAndUsage", () => {
  it("answers last month's cost grouped by service in Cost Explorer's shape", async () => {
    const answer = await ce().send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: "2026-10-01", End: "2026-12-01" },
        Granularity: "MONTHLY",
        Metrics: ["UnblendedCost"],
        GroupBy: [{ Type: "DIMENSION", Key: "SERVICE" }],
      }),
    );
    expect(answer.GroupDefinitions).toEqual([{ Type: "DIMENSION", Key: "SERVICE" }]);
    expect(answer.ResultsByTime).toEqual([
      {
        TimePeriod: { Start: "2026-10-01", End: "2026-11-01" },
        Total: {},
        Groups: [
          {
            Keys: ["Amazon Elastic Compute Cloud - Compute"],
            Metrics: { UnblendedCost: { Amount: "310", Unit: "USD" } },
          },
          {
            Keys: ["Amazon Relational Database Service"],
            Metrics: { UnblendedCost: { Amount: "124", Unit: "USD" } },
          },
        ],
        // Whether the month is still open depends on today's date.
        Estimated: expect.any(Boolean) as boolean,
      },
      {
        TimePeriod: { Start: "2026-11-01", End: "2026-12-01" },
        Total: {},
        Groups: [
          {
            Keys: ["Amazon Elastic Compute Cloud - Compute"],
            Metrics: { UnblendedCost: { Amount: "300", Unit: "USD" } },
          },
        ],
        // Whether the month is still open depends on today's date.
        Estimated: expect.any(Boolean) as boolean,
      },
    ]);
  });

  it("totals without GroupBy, spreads a month over its days, and is served in us-east-1 only", async () => {
    const answer = await ce().send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: "2026-11-01", End: "2026-11-03" },
        Granularity: "DAILY",
        Metrics: ["BlendedCost"],
      }),
    );
    expect(answer.ResultsByTime?.map((r) => r.Total?.BlendedCost?.Amount)).toEqual(["10", "10"]);
    await expect(
      ce("eu-west-1").send(
        new GetCostAndUsageCommand({
          TimePeriod: { Start: "2026-11-01", End: "2026-12-01" },
          Granularity: "MONTHLY",
          Metrics: ["UnblendedCost"],
        }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await expect(
      ce().send(
        new GetCostAndUsageCommand({
          TimePeriod: { Start: "2026-12-01", End: "2026-11-01" },
          Granularity: "MONTHLY",
          Metrics: ["UnblendedCost"],
        }),
      ),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });
});
