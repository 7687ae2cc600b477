import { describe, expect, it } from "vitest";
import { SwitchboardError } from "../errors.js";
import {
  asItems,
  compileTemplate,
  ExpressionError,
  expressionReferences,
  referencedSteps,
  type ExpressionContext,
} from "./expressions.js";
import { parseDefinition } from "./parse-definition.js";

const LIMITS = { timeoutMs: 300, maxBytes: 64 * 1024 };

function context(overrides: Partial<ExpressionContext> = {}): ExpressionContext {
  return {
    inputs: { regions: ["us-east-1", "eu-west-1"], env: "prod" },
    steps: {
      clusters: {
        status: "partial",
        targets: [
          {
            connection: "prod-a",
            accountId: "111111111111",
            region: "us-east-1",
            status: "succeeded",
            output: { clusterArns: ["arn:aws:ecs:us-east-1:111111111111:cluster/web"] },
          },
          {
            connection: "prod-b",
            accountId: "222222222222",
            region: "us-east-1",
            status: "succeeded",
            output: { clusterArns: [] },
          },
          {
            connection: "prod-c",
            accountId: "333333333333",
            region: "eu-west-1",
            status: "failed",
            error: { code: "AWS_ERROR", message: "AccessDenied" },
          },
          {
            connection: "prod-d",
            accountId: "444444444444",
            region: "eu-west-1",
            status: "succeeded",
            output: { clusterArns: ["arn:aws:ecs:eu-west-1:444444444444:cluster/api"] },
          },
        ],
      },
    },
    run: { id: "run_1", startedBy: "ann" },
    ...overrides,
  };
}

async function evaluate(value: unknown, ctx = context(), limits = LIMITS): Promise<unknown> {
  return compileTemplate(value, "steps.test.input").evaluate(ctx, limits);
}

async function failure(value: unknown, limits = LIMITS): Promise<ExpressionError> {
  const error: unknown = await evaluate(value, context(), limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExpressionError);
  return error as ExpressionError;
}

describe("expressions", () => {
  it("gives the expression's own value when a string is exactly one expression", async () => {
    expect(await evaluate("${{ inputs.regions }}")).toEqual(["us-east-1", "eu-west-1"]);
    expect(await evaluate("${{ $count(inputs.regions) }}")).toBe(2);
    expect(await evaluate("${{ run }}")).toEqual({ id: "run_1", startedBy: "ann" });
  });

  it("interpolates text around expressions into a string", async () => {
    expect(
      await evaluate("env-${{ inputs.env }}/${{ $count(inputs.regions) }} by ${{ run.startedBy }}"),
    ).toBe("env-prod/2 by ann");
    expect(await evaluate("list=${{ inputs.regions }}; none=${{ inputs.missing }}")).toBe(
      'list=["us-east-1","eu-west-1"]; none=',
    );
  });

  it("evaluates deeply through objects and arrays and leaves plain values alone", async () => {
    const template = compileTemplate(
      {
        clusters: "${{ item.output.clusterArns }}",
        n: 3,
        tags: ["a", "${{ index }}"],
        raw: "no ${ x }",
      },
      "steps.details.input",
    );
    expect(template.dynamic).toBe(true);
    expect(
      await template.evaluate(
        context({ item: { output: { clusterArns: ["c1"] } }, index: 4 }),
        LIMITS,
      ),
    ).toEqual({ clusters: ["c1"], n: 3, tags: ["a", 4], raw: "no ${ x }" });
    expect(compileTemplate({ a: [1, "b"] }, "x").dynamic).toBe(false);
  });

  it("filters the targets of an earlier step for a forEach", async () => {
    const items = asItems(
      await evaluate(
        '${{ steps.clusters.targets[status = "succeeded" and $count(output.clusterArns) > 0] }}',
      ),
    );
    expect(items.map((t) => (t as { connection: string }).connection)).toEqual([
      "prod-a",
      "prod-d",
    ]);
    expect(
      asItems(await evaluate('${{ steps.clusters.targets[connection = "prod-d"] }}')),
    ).toHaveLength(1);
    expect(asItems(await evaluate('${{ steps.clusters.targets[connection = "none"] }}'))).toEqual(
      [],
    );
  });

  it("keeps an object constructor's braces inside the expression", async () => {
    expect(await evaluate('${{ {"a": {"b": inputs.env}} }}')).toEqual({ a: { b: "prod" } });
  });

  it("names the field, the expression and the position of a syntax error when compiled", () => {
    let error: unknown;
    try {
      compileTemplate(
        { clusters: "${{ steps.clusters.targets[status = }}" },
        "steps.details.input",
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error).toBeInstanceOf(SwitchboardError);
    const e = error as ExpressionError;
    expect(e.code).toBe("EXPRESSION_FAILED");
    expect(e.message).toMatch(
      /^steps\.details\.input\.clusters: \$\{\{ steps\.clusters\.targets\[status = \}\}: .+ at position \d+$/,
    );
    expect(() => compileTemplate("${{ inputs.env", "steps.a.if")).toThrow(
      /steps\.a\.if: .*expected }}/,
    );
    expect(() => compileTemplate("${{  }}", "steps.a.if")).toThrow(/empty/);
  });

  it("names the step and the expression of a runtime error", async () => {
    const error = await failure('${{ $number("not a number") }}');
    expect(error.message).toMatch(/^steps\.test\.input: \$\{\{ \$number\("not a number"\) \}\}: /);
  });

  it("stops an endless loop within the time bound", async () => {
    const started = Date.now();
    const error = await failure("${{ ($loop := function($n) { $loop($n + 1) }; $loop(0)) }}", {
      timeoutMs: 200,
      maxBytes: 1024,
    });
    expect(error.message).toMatch(/timeout/i);
    // Generous: the bound is 200 ms; a busy machine may add some, never seconds.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("stops runaway recursion by depth", async () => {
    const error = await failure("${{ ($deep := function($n) { 1 + $deep($n + 1) }; $deep(0)) }}", {
      timeoutMs: 10_000,
      maxBytes: 1024,
    });
    expect(error.message).toMatch(/stack overflow/i);
  });

  it("refuses a result over the size bound", async () => {
    const error = await failure('${{ [1..20000].("0123456789") }}', {
      timeoutMs: 1000,
      maxBytes: 10_000,
    });
    expect(error.message).toMatch(/over the 10000-byte bound/);
  });

  it("refuses strings that grow past the size bound on the way", async () => {
    const doubling = await failure(
      '${{ $reduce([1..40], function($acc, $n) { $acc & $acc }, "xx") }}',
      { timeoutMs: 5000, maxBytes: 100_000 },
    );
    expect(doubling.message).toMatch(/larger than 100000 bytes/);
    const padded = await failure('${{ $pad("", 500000000) }}', {
      timeoutMs: 5000,
      maxBytes: 100_000,
    });
    expect(padded.message).toMatch(/larger than 100000 bytes/);
    expect(await evaluate('${{ $pad("ab", 5, "-") }}')).toBe("ab---");
  });

  it("refuses $eval, so data never becomes code", async () => {
    const error = await failure('${{ $eval("1 + 1") }}');
    expect(error.message).toMatch(/\$eval is not available/);
  });

  it("refuses a regular expression at compile time, naming the path and the expression", () => {
    // (a|a)*b backtracks for a minute on 29 characters, and JSONata's timeout cannot stop it.
    for (const source of [
      "${{ $match(inputs.env, /(a|a)*b/) }}",
      "${{ $contains(inputs.env, /^prod-/i) }}",
      '${{ $replace(inputs.env, /p/, "q") }}',
      "${{ $split(inputs.env, /,/) }}",
    ]) {
      let error: unknown;
      try {
        compileTemplate(source, "steps.test.input");
      } catch (e) {
        error = e;
      }
      expect(error, source).toBeInstanceOf(ExpressionError);
      const refused = error as ExpressionError;
      expect(refused.message).toMatch(
        /^steps\.test\.input: \$\{\{ \$\w+\(inputs\.env, \/.+\}\}: regular expressions are not allowed in workflow expressions: use \$contains\/\$split\/\$replace with a string at position \d+$/,
      );
      // The position is the regex's first character.
      expect(refused.expression[refused.position! - 1]).toBe("/");
    }
  });

  it("reports a regular expression at its line and column in a definition", () => {
    const source = [
      "name: regex",
      "inputs:",
      "  s: { type: string }",
      "steps:",
      "  - id: check",
      '    transform: "${{ $match(inputs.s, /(a|a)*b/) }}"',
    ].join("\n");
    const result = parseDefinition(source, "yaml");
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      path: "steps[0].transform",
      line: 6,
      column: '    transform: "${{ $match(inputs.s, '.length + 1,
    });
    expect(errors[0]!.message).toMatch(
      /steps\.check\.transform: .*regular expressions are not allowed/,
    );
  });

  it("refuses a lambda's signature, which JSONata checks with a regular expression", () => {
    expect(() =>
      compileTemplate('${{ (function($x)<s+s+:s>{ $x })("a", "b") }}', "steps.test.input"),
    ).toThrow(/function signatures are not allowed/);
    expect(() =>
      compileTemplate('${{ (function($x){ $x })("a") }}', "steps.test.input"),
    ).not.toThrow();
  });

  it("refuses $toMillis with a picture (a regular expression built from it), not without", async () => {
    const picture = "[Yw]".repeat(12);
    const error = await failure(`\${{ $toMillis("${"one ".repeat(40)}x", "${picture}") }}`);
    expect(error.message).toMatch(/\$toMillis with a picture is not available/);
    expect(await evaluate('${{ $toMillis("2024-01-02T03:04:05Z") }}')).toBe(
      Date.UTC(2024, 0, 2, 3, 4, 5),
    );
    expect(await evaluate("${{ $toMillis(inputs.missing) }}")).toBeUndefined();
  });

  it("matches strings with $contains, $replace and $split given a string", async () => {
    expect(await evaluate('${{ $contains("prod-a", "prod-") }}')).toBe(true);
    expect(await evaluate('${{ $contains("dev-a", "prod-") }}')).toBe(false);
    expect(await evaluate('${{ $replace("a-a-a", "a", "b") }}')).toBe("b-b-b");
    expect(await evaluate('${{ $split("a,b,c", ",") }}')).toEqual(["a", "b", "c"]);
    // A string with regex characters is a plain string: nothing is compiled from it.
    expect(await evaluate('${{ $contains("x(a|a)*b", "(a|a)*b") }}')).toBe(true);
    expect(await evaluate('${{ $split("a.b.c", ".") }}')).toEqual(["a", "b", "c"]);
  });

  it("cannot reach JavaScript through constructor or __proto__", async () => {
    for (const probe of [
      "${{ constructor }}",
      "${{ inputs.constructor }}",
      "${{ inputs.__proto__ }}",
      "${{ $string.constructor }}",
      '${{ $lookup(inputs, "constructor") }}',
      "${{ inputs.regions.map }}",
    ]) {
      expect(await evaluate(probe)).toBeUndefined();
    }
    const call = await failure(
      '${{ ($f := inputs.constructor.constructor; $f("return process")()) }}',
    );
    expect(call.message).toMatch(/non-function/);
    // A key named __proto__ stays a key: it does not change the result's prototype.
    const result = await evaluate(
      JSON.parse(
        '{"__proto__": "${{ 1 }}", "a": "${{ {\\"__proto__\\": {\\"polluted\\": true}} }}"}',
      ),
    );
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((result as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses a function as a result", async () => {
    const error = await failure("${{ $string }}");
    expect(error.message).toMatch(/function, not a value/);
  });

  it("lists the steps, inputs and secrets that expressions read", () => {
    const value = {
      a: '${{ steps.clusters.targets[status = "succeeded"].output }} and ${{ steps.other.output }}',
      b: ["${{ $count(steps.third.targets) + item.n }}", "${{ inputs.env }}"],
      c: "Bearer ${{ secrets.token }}",
      d: "plain",
    };
    expect(referencedSteps(value)).toEqual(["clusters", "other", "third"]);
    expect(expressionReferences(value)).toEqual({
      steps: ["clusters", "other", "third"],
      inputs: ["env"],
      secrets: ["token"],
      item: true,
    });
    expect(expressionReferences("${{ inputs.env }}").item).toBe(false);
  });
});
