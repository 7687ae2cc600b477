import { describe, expect, it } from "vitest";
import { ERROR_CATALOGUE } from "../errors.js";
import { SKIP_REASONS, isSkipReason } from "./skip-reasons.js";

describe("skip reasons", () => {
  it("knows each catalogued reason and nothing else, not even an object's inherited keys", () => {
    for (const reason of Object.keys(SKIP_REASONS)) expect(isSkipReason(reason), reason).toBe(true);
    expect(isSkipReason("AccessDenied")).toBe(false);
    expect(isSkipReason("toString")).toBe(false);
    expect(isSkipReason("same_account")).toBe(false);
  });

  it("lists the reasons the fan-out reports today and those the engine will report", () => {
    expect(Object.keys(SKIP_REASONS)).toEqual(
      expect.arrayContaining([
        "REGION_NOT_ALLOWED",
        "SAME_ACCOUNT",
        "SAME_ACCOUNT_REGION",
        "CONDITION_FALSE",
        "UPSTREAM_FAILED",
        "ACCOUNT_UNREACHABLE",
        "REGION_BLOCKED",
      ]),
    );
  });

  it("gives each reason a message, and shares a name with an error code only where they mean the same", () => {
    for (const [reason, info] of Object.entries(SKIP_REASONS)) {
      expect(reason).toMatch(/^[A-Z][A-Z_]+$/);
      expect(info.message.length, reason).toBeGreaterThan(20);
    }
    const shared = Object.keys(SKIP_REASONS).filter((r) => r in ERROR_CATALOGUE);
    expect(shared).toEqual(["REGION_NOT_ALLOWED"]);
  });
});
