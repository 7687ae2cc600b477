import { describe, expect, it } from "vitest";
import { KeyedSemaphore, Semaphore } from "./semaphore.js";

describe("Semaphore", () => {
  it("never runs more than its limit at once, and runs everything", async () => {
    const semaphore = new Semaphore(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        semaphore.run(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 2));
          active -= 1;
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("limits each key on its own", async () => {
    const keyed = new KeyedSemaphore(1);
    const order: string[] = [];
    const task = (name: string) => async () => {
      order.push(`${name}+`);
      await new Promise((r) => setTimeout(r, 5));
      order.push(`${name}-`);
    };
    await Promise.all([
      keyed.run("a", task("a1")),
      keyed.run("a", task("a2")),
      keyed.run("b", task("b1")),
    ]);
    expect(order.indexOf("a1-")).toBeLessThan(order.indexOf("a2+"));
    expect(order.indexOf("b1+")).toBeLessThan(order.indexOf("a1-"));
  });

  it("forgets a key once nothing runs or waits on it", async () => {
    const keyed = new KeyedSemaphore(2);
    await Promise.all([
      keyed.run("a", () => Promise.resolve()),
      keyed.run("b", () => Promise.resolve()),
    ]);
    expect(keyed.size).toBe(0);
  });
});
