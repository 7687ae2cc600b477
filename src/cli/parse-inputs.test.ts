import { describe, expect, it } from "vitest";
import { parseInputs } from "./parse-inputs.js";

describe("parseInputs", () => {
  it("reads a value as JSON when it parses as JSON, else as the text", () => {
    expect(
      parseInputs(
        ["n=3", "ok=true", 'regions=["us-east-1"]', "name=prod", "empty=", "eq=a=b"],
        undefined,
      ),
    ).toEqual({ n: 3, ok: true, regions: ["us-east-1"], name: "prod", empty: "", eq: "a=b" });
  });

  it("lets key=value override the same key of --input-json", () => {
    expect(parseInputs(["a=2"], '{"a":1,"b":"x"}')).toEqual({ a: 2, b: "x" });
  });

  it("refuses a pair without a key and --input-json that is not an object", () => {
    expect(() => parseInputs(["=1"], undefined)).toThrow("expected key=value");
    expect(() => parseInputs(["novalue"], undefined)).toThrow("expected key=value");
    expect(() => parseInputs([], "[1]")).toThrow("expected a JSON object");
    expect(() => parseInputs([], "{oops")).toThrow("expected a JSON object");
  });
});
