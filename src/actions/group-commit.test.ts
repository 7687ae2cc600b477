import { describe, expect, it } from "vitest";
import { groupCommit } from "./group-commit.js";

describe("groupCommit", () => {
  it("writes a lone row at once and the rows that arrive meanwhile together in the next write", async () => {
    const writes: number[][] = [];
    let release: () => void = () => undefined;
    const add = groupCommit<number>(
      async (rows) => {
        writes.push(rows);
        if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      { maxRows: 100, waitMs: 0, expectMore: () => true },
    );
    const first = add(0);
    const rest = [1, 2, 3].map((n) => add(n));
    expect(writes).toEqual([[0]]);
    release();
    await Promise.all([first, ...rest]);
    expect(writes).toEqual([[0], [1, 2, 3]]);
  });

  it("splits a long queue into writes of at most maxRows, each row resolved after its own write", async () => {
    const writes: number[][] = [];
    const add = groupCommit<number>((rows) => Promise.resolve(void writes.push(rows)), {
      maxRows: 2,
      waitMs: 0,
      expectMore: () => true,
    });
    const hold = add(-1);
    await Promise.all([hold, ...[1, 2, 3, 4, 5].map((n) => add(n))]);
    expect(writes).toEqual([[-1], [1, 2], [3, 4], [5]]);
  });

  it("rejects the rows of a failed write and goes on with the next ones", async () => {
    let calls = 0;
    const add = groupCommit<number>(
      (rows) => {
        calls += 1;
        return rows.includes(2) ? Promise.reject(new Error("disk full")) : Promise.resolve();
      },
      { maxRows: 1, waitMs: 0, expectMore: () => true },
    );
    const results = await Promise.allSettled([add(1), add(2), add(3)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(calls).toBe(3);
  });

  it("holds rows while more are expected, so those settling together share one write", async () => {
    const writes: number[][] = [];
    const add = groupCommit<number>((rows) => Promise.resolve(void writes.push(rows)), {
      maxRows: 100,
      waitMs: 60_000,
      expectMore: () => expected > 0,
    });
    let expected = 3;
    expected -= 1;
    const first = add(1);
    await new Promise((resolve) => setTimeout(resolve, 1));
    expected -= 1;
    const second = add(2);
    expect(writes).toEqual([]);
    // The last row expected does not wait out the minute: it sends the gathered rows at once.
    expected -= 1;
    const third = add(3);
    await Promise.all([first, second, third]);
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it("writes a lone row at once when no other is expected, whatever waitMs is", async () => {
    const writes: number[][] = [];
    const add = groupCommit<number>((rows) => Promise.resolve(void writes.push(rows)), {
      maxRows: 100,
      waitMs: 60_000,
      expectMore: () => false,
    });
    const only = add(7);
    expect(writes).toEqual([[7]]);
    await only;
  });
});
