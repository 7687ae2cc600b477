import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./retry-delay.js";

const options = (r: number) => ({ baseMs: 100, maxMs: 5_000, random: () => r });

describe("retryDelayMs", () => {
  it("doubles the ceiling with each failed attempt, from baseMs after the first", () => {
    const almostOne = 1 - Number.EPSILON;
    expect([1, 2, 3, 4, 5, 6].map((a) => retryDelayMs(a, options(almostOne)))).toEqual([
      99, 199, 399, 799, 1_599, 3_199,
    ]);
  });

  it("never waits longer than maxMs, however many attempts failed", () => {
    const almostOne = 1 - Number.EPSILON;
    expect(retryDelayMs(7, options(almostOne))).toBe(4_999);
    expect(retryDelayMs(10_000, options(almostOne))).toBe(4_999);
  });

  it("jitters over the whole range: zero with random 0, half the ceiling with 0.5", () => {
    expect(retryDelayMs(1, options(0))).toBe(0);
    expect(retryDelayMs(30, options(0))).toBe(0);
    expect(retryDelayMs(3, options(0.5))).toBe(200);
    expect(retryDelayMs(30, options(0.5))).toBe(2_500);
  });

  it("stays within [0, ceiling] for any random in [0, 1)", () => {
    for (let i = 0; i < 200; i += 1) {
      const r = i / 200;
      const delay = retryDelayMs(4, options(r));
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(800);
      expect(Number.isInteger(delay)).toBe(true);
    }
  });

  it("refuses an attempt not counted from 1 and a nonsensical range", () => {
    expect(() => retryDelayMs(0, options(0.5))).toThrow(RangeError);
    expect(() => retryDelayMs(1.5, options(0.5))).toThrow(RangeError);
    expect(() => retryDelayMs(1, { baseMs: 0, maxMs: 10, random: () => 0.5 })).toThrow(RangeError);
    expect(() => retryDelayMs(1, { baseMs: 10, maxMs: 5, random: () => 0.5 })).toThrow(RangeError);
  });
});
