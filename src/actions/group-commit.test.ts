import { describe, expect, it } from "vitest";
import { groupCommit } from "./group-commit.js";

describe("groupCommit", () => {
  it("writes a lone row at once and the rows that arrive meanwhile together in the next write", async () => {
    const writes: number[][] = [];
    let release: () => void = () => undefined;
    const add = groupCommit<number>(async (rows) => {
      writes.push(rows);
      if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
    }, 100);
    const first = add(0);
    const rest = [1, 2, 3].map((n) => add(n));
    expect(writes).toEqual([[0]]);
    release();
    await Promise.all([first, ...rest]);
    expect(writes).toEqual([[0], [1, 2, 3]]);
  });

  it("splits a long queue into writes of at most maxRows, each row resolved after its own write", async () => {
    const writes: number[][] = [];
    const add = groupCommit<number>((rows) => Promise.resolve(void writes.push(rows)), 2);
    const hold = add(-1);
    await Promise.all([hold, ...[1, 2, 3, 4, 5].map((n) => add(n))]);
    expect(writes).toEqual([[-1], [1, 2], [3, 4], [5]]);
  });

  it("rejects the rows of a failed write and goes on with the next ones", async () => {
    let calls = 0;
    const add = groupCommit<number>((rows) => {
      calls += 1;
      return rows.includes(2) ? Promise.reject(new Error("disk full")) : Promise.resolve();
    }, 1);
    const results = await Promise.allSettled([add(1), add(2), add(3)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(calls).toBe(3);
  });
});
