import { describe, expect, it } from "vitest";
import { findInputProblem, MAX_INPUT_DEPTH } from "./input-guard.js";

function nested(levels: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < levels; i += 1) value = [value];
  return value;
}

describe("findInputProblem", () => {
  it("names the field holding a NUL or a lone surrogate, in values and in field names, at any depth", () => {
    const surrogate = findInputProblem("body", {
      a: "ok",
      b: ["ok", { c: "x\u0000" }],
      d: "\ud800",
    });
    expect(surrogate?.field).toBe("d");
    expect(surrogate?.message).toMatch(/^body\.d contains a lone UTF-16 surrogate/);
    expect(findInputProblem("body", { b: ["ok", { c: "x\u0000" }] })?.field).toBe("b.1.c");
    const name = findInputProblem("query", { "a\u0000b": "1" });
    expect(name?.field).toBe("a\\u0000b");
    expect(name?.message).toMatch(/^query\.a\\u0000b: the field name contains a NUL/);
    expect(findInputProblem("body", "\udc00")?.field).toBe("");
  });

  it("lets surrogate pairs, other control characters and non-text values through", () => {
    expect(
      findInputProblem("body", { a: "😀 é \t\u0001\u007f", n: [1, true, null], o: {} }),
    ).toBeUndefined();
    expect(findInputProblem("body", undefined)).toBeUndefined();
  });

  it(`refuses nesting deeper than ${MAX_INPUT_DEPTH} levels without recursing`, () => {
    expect(findInputProblem("body", nested(MAX_INPUT_DEPTH))).toBeUndefined();
    const deep = findInputProblem("body", nested(MAX_INPUT_DEPTH + 1));
    expect(deep?.field.split(".")).toHaveLength(MAX_INPUT_DEPTH);
    expect(deep?.message).toMatch(/nested deeper than 64 levels/);
    expect(findInputProblem("body", nested(200_000))?.message).toMatch(/nested deeper/);
  });
});
