import { describe, expect, it } from "vitest";
import { DEFAULT_HEARTBEAT_SECONDS, engineQueueDefinitions } from "./queues.js";

describe("engineQueueDefinitions", () => {
  it("leases every engine job for 10 s unless told otherwise, on both databases", () => {
    expect(DEFAULT_HEARTBEAT_SECONDS).toBe(10);
    for (const dialect of ["sqlite", "postgres"] as const) {
      const leases = Object.values(engineQueueDefinitions(dialect)).map((d) => d.heartbeatSeconds);
      expect(leases.length).toBeGreaterThan(0);
      expect(new Set(leases)).toEqual(new Set([10]));
    }
  });

  it("takes a shorter lease on SQLite only: pg-boss refuses less than 10", () => {
    const sqlite = Object.values(engineQueueDefinitions("sqlite", 2));
    expect(sqlite.every((d) => d.heartbeatSeconds === 2)).toBe(true);
    expect(() => engineQueueDefinitions("postgres", 9)).toThrow(
      "heartbeatSeconds: pg-boss accepts no less than 10 on PostgreSQL, got 9",
    );
    expect(Object.values(engineQueueDefinitions("postgres", 30))[0]?.heartbeatSeconds).toBe(30);
  });

  it("refuses a lease that is not a whole, positive number of seconds", () => {
    for (const bad of [0, -1, 1.5, Number.NaN])
      expect(() => engineQueueDefinitions("sqlite", bad)).toThrow(
        "heartbeatSeconds: expected a whole number of seconds",
      );
  });
});
