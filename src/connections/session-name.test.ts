import { describe, expect, it } from "vitest";
import { roleSessionName } from "./session-name.js";

describe("roleSessionName", () => {
  it("names the user and the run within AWS's pattern and 64 characters", () => {
    expect(roleSessionName("alice", "req_abc123")).toBe("sb-alice-req_abc123");
    const long = roleSessionName("a".repeat(63), "run_0196f3a2-7c1e-7b3a-9f00-123456789abc");
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(long.endsWith("run_0196f3a2-7c1e-7b3a-9f00-")).toBe(true);
    expect(roleSessionName("bob", "weird id/with:chars")).toMatch(/^sb-bob-weird-id-with-chars$/);
  });
});
