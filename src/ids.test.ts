import { describe, expect, it } from "vitest";
import { newId } from "./ids.js";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("newId", () => {
  it("keeps the order after ids of a later moment (a clock set ahead elsewhere in the process)", () => {
    newId(Date.now() + 3_600_000);
    const ids = Array.from({ length: 2_000 }, () => newId());
    expect([...ids].sort()).toEqual(ids);
  });

  it("makes UUIDv7s that sort in the order they were made, many in one millisecond too", () => {
    // Thousands in a few milliseconds: many share one.
    const ids = Array.from({ length: 5_000 }, () => newId());
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const millisecond = (id: string | undefined) =>
      parseInt(id?.replace(/-/g, "").slice(0, 12) ?? "", 16);
    expect(new Set(ids.map(millisecond)).size).toBeLessThan(ids.length);
    expect(Math.abs(millisecond(ids[0]) - Date.now())).toBeLessThan(5_000);
  });

  it("gives a moment well before the last its own millisecond", () => {
    const past = Date.parse("2020-01-01T00:00:00Z");
    const id = newId(past);
    expect(UUID_V7.test(id)).toBe(true);
    expect(id.replace(/-/g, "").slice(0, 12)).toBe(past.toString(16).padStart(12, "0"));
  });
});
