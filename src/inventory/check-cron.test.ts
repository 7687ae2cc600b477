import { describe, expect, it } from "vitest";
import { SwitchboardError } from "../errors.js";
import { checkCron } from "./sync-schedules.js";

function refusal(cron: string): SwitchboardError {
  try {
    checkCron(cron, "UTC");
  } catch (error) {
    expect(error, cron).toBeInstanceOf(SwitchboardError);
    return error as SwitchboardError;
  }
  throw new Error(`${cron} was accepted`);
}

describe("a scheduled sync's cron", () => {
  it("refuses cron-parser's random H, which the scheduler would draw again at every pass", () => {
    for (const cron of ["H * * * *", "H H * * *", "H/20 * * * *", "0 H * * *", "0 0 H * *"]) {
      const error = refusal(cron);
      expect(error.field).toBe("cron");
      expect(error.message).toMatch(/field "H/);
      expect(error.message).toContain("at least 15 minutes apart");
    }
  });

  it("refuses ?, L and # as a workflow's schedule does", () => {
    for (const cron of ["0 0 ? * *", "0 0 L * *", "0 0 * * 1#2", "0 0 * * 5L"]) {
      expect(refusal(cron).field).toBe("cron");
    }
  });

  it("takes plain values, ranges, lists, steps and names at least 15 minutes apart", () => {
    for (const cron of [
      "*/15 * * * *",
      "30 2 * * *",
      "0 9-17 * * MON-FRI",
      "0,30 * * * *",
      "0 0 1 JAN *",
    ]) {
      expect(() => checkCron(cron, "UTC"), cron).not.toThrow();
    }
  });

  it("still refuses slots closer than 15 minutes and a seconds field", () => {
    expect(refusal("*/5 * * * *").message).toContain("two slots 5 minutes apart");
    expect(refusal("0 */5 * * * *").message).toContain("expected 5 cron fields");
  });
});
