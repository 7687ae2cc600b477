import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import { compileTemplate, ExpressionError, type ExpressionContext } from "./expressions.js";

const PATH = "steps.dedupe.transform";

function context(inputs: Record<string, unknown> = {}): ExpressionContext {
  return { inputs, steps: {}, run: { id: "run_1", startedBy: "ann" } };
}

async function evaluate(
  expression: string,
  inputs: Record<string, unknown> = {},
): Promise<unknown> {
  return compileTemplate(`\${{ ${expression} }}`, PATH).evaluate(context(inputs), {
    timeoutMs: 10_000,
    maxBytes: 4 * 1024 * 1024,
  });
}

/** JSONata's own builtins, as a reference for what ours must give. */
async function reference(expression: string, inputs: Record<string, unknown>): Promise<unknown> {
  const result: unknown = await jsonata(expression).evaluate(context(inputs));
  return result === undefined ? undefined : (JSON.parse(JSON.stringify(result)) as unknown);
}

const MIXED = [
  { a: 1, b: [1, 2] },
  { b: [1, 2], a: 1 },
  { a: 1, b: [2, 1] },
  { a: 0 },
  "1",
  1,
  1.5,
  [1],
  [1],
  [[1], { x: null }],
  [[1], { x: null }],
  null,
  null,
  true,
  false,
  true,
  "",
  { a: { b: { c: "d" } } },
  { a: { b: { c: "e" } } },
  { a: { b: { c: "d" } } },
];

describe("builtins that JSONata runs in one synchronous call", () => {
  it("keeps $distinct's results, order and deep equality as JSONata's own", async () => {
    for (const expression of [
      "$distinct(inputs.mixed)",
      "$distinct(inputs.mixed.a)",
      "$distinct(inputs.mixed.b)",
      "$distinct([1, 1])",
      "$distinct([3, 1, 3, 2, 1])",
      '$distinct(["b", "a", "b"])',
      "$distinct(5)",
      "$distinct([])",
      "$distinct(inputs.none)",
      '$distinct([1..3].("same"))',
    ]) {
      expect(await evaluate(expression, { mixed: MIXED }), expression).toEqual(
        await reference(expression, { mixed: MIXED }),
      );
    }
  });

  it("gives $distinct of a 100,000-item range with the first of each value, in order", async () => {
    const result = await evaluate("$distinct([1..100000].($ % 5000))");
    const expected = [...Array.from({ length: 4999 }, (_, i) => i + 1), 0];
    expect(result).toEqual(expected);
    expect(await evaluate("$count($distinct([1..100000]))")).toBe(100_000);
  });

  it("keeps $sort's results and stability as JSONata's own, with and without a comparator", async () => {
    const inputs = {
      numbers: [5, 3, 9, 3, -1, 0, 2.5, 100, 7],
      strings: ["b", "a", "B", "aa", "", "é", "Z"],
      people: [
        { name: "ann", age: 40 },
        { name: "bob", age: 30 },
        { name: "cat", age: 40 },
        { name: "dan", age: 30 },
        { name: "eve", age: 25 },
      ],
    };
    for (const expression of [
      "$sort(inputs.numbers)",
      "$sort(inputs.strings)",
      "$sort(inputs.people, function($l, $r) { $l.age > $r.age })",
      "$sort(inputs.people, function($l, $r) { $l.age < $r.age })",
      // Not an order at all: the same comparisons in the same sequence give the same result.
      "$sort(inputs.numbers, function($l, $r) { $l % 3 = 0 })",
      "$sort(5)",
      "$sort([])",
      "$sort(inputs.none)",
    ]) {
      expect(await evaluate(expression, inputs), expression).toEqual(
        await reference(expression, inputs),
      );
    }
  });

  it("sorts a 300,000-item list from the data, beyond the sequence bound on what expressions build", async () => {
    const list = Array.from({ length: 300_000 }, (_, i) => 300_000 - i);
    const result = (await evaluate("$sort(inputs.list)", { list })) as number[];
    expect(result).toHaveLength(300_000);
    expect(result.slice(0, 3)).toEqual([1, 2, 3]);
    expect(result.at(-1)).toBe(300_000);
  });

  it("refuses $sort of mixed numbers and strings with JSONata's message", async () => {
    const error = await evaluate('$sort([1, "a"])').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).message).toMatch(/array of strings or an array of numbers/);
  });

  it("refuses a range over 100,000 items, naming the step's field and the bound", async () => {
    for (const expression of [
      "$count($distinct([1..150000]))",
      "$count([1..100001])",
      "$count($append([1..60000], [1..60000]))",
    ]) {
      const error = await evaluate(expression).catch((e: unknown) => e);
      expect(error, expression).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).field).toBe(PATH);
      expect((error as ExpressionError).message).toContain(PATH);
      expect((error as ExpressionError).message).toMatch(/more than 100000 items/);
    }
  });
});
