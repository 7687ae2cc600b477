import { describe, expect, it } from "vitest";
import { stepKind } from "./definition-schema.js";
import { parseDefinition, type ParseDefinitionResult } from "./parse-definition.js";

const SKETCH = `name: ecs-clusters-everywhere
inputs:
  regions: { type: array, default: [us-east-1, eu-west-1] }
steps:
  - id: clusters
    action: aws.ecs.listClusters
    connections: { tag: env=prod }
    regions: \${{ inputs.regions }}
    onError: continue
  - id: details
    action: aws.ecs.describeClusters
    forEach: \${{ steps.clusters.targets[status = "succeeded" and $count(output.clusterArns) > 0] }}
    connection: \${{ item.connection }}
    region: \${{ item.region }}
    input: { clusters: \${{ item.output.clusterArns }} }
triggers:
  - schedule: "0 * * * *"
  - webhook: {}
`;

function errorsOf(result: ParseDefinitionResult) {
  if (result.ok) throw new Error("expected errors, the definition parsed");
  return result.errors;
}

describe("parseDefinition", () => {
  it("parses the issue's sketch, expressions in { } included", () => {
    const result = parseDefinition(SKETCH, "yaml");
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const [clusters, details] = result.definition.steps;
    expect(stepKind(clusters!)).toBe("action");
    expect(clusters).toMatchObject({ onError: "continue", connections: { tag: "env=prod" } });
    expect(details).toMatchObject({
      onError: "fail",
      input: { clusters: "${{ item.output.clusterArns }}" },
    });
    expect(result.definition.triggers).toEqual([{ schedule: "0 * * * *" }, { webhook: {} }]);
  });

  it("parses the same definition written as JSON", () => {
    const json = JSON.stringify({
      name: "two-steps",
      steps: [
        { id: "list", action: "aws.call", input: { service: "ec2", operation: "DescribeVpcs" } },
        { id: "count", transform: { vpcs: "${{ $count(steps.list.targets.output.Vpcs) }}" } },
        {
          id: "notify",
          http: {
            method: "POST",
            url: "https://hooks.example.com/x",
            headers: { Authorization: "Bearer ${{ secrets.token }}" },
            body: { text: "${{ steps.count.output.vpcs }} VPCs" },
            secrets: { token: "keys/project/ops/slack-token" },
          },
          timeout: "30s",
          retry: { attempts: 3 },
        },
        { id: "confirm", approval: { message: "go?" } },
      ],
    });
    const result = parseDefinition(json, "json");
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.definition.steps.map(stepKind)).toEqual([
      "action",
      "transform",
      "http",
      "approval",
    ]);
    expect(result.definition.steps[2]).toMatchObject({
      timeoutMs: 30_000,
      retry: { attempts: 3, backoffSeconds: 1, maxBackoffSeconds: 60 },
    });
    expect(result.definition.steps[3]).toMatchObject({
      approval: { grant: "executor", timeoutMs: 86_400_000 },
    });
  });

  it("names the path, line and column of a value of the wrong type", () => {
    const source = SKETCH.replace("connections: { tag: env=prod }", "connections: 12");
    expect(errorsOf(parseDefinition(source, "yaml"))).toEqual([
      {
        path: "steps[0].connections",
        message: expect.stringMatching(/^expected a list of connection names/) as string,
        line: 7,
        column: 18,
      },
    ]);
    const array = errorsOf(
      parseDefinition(
        "name: x\nsteps:\n  - id: a\n    transform: 1\n  - id: b\n    action: aws.call\n    input: [1]\n",
        "yaml",
      ),
    );
    expect(array[0]).toMatchObject({ path: "steps[1].input", line: 7, column: 12 });
  });

  it("names an unknown key at the key, and a missing one at its object", () => {
    const errors = errorsOf(
      parseDefinition("name: x\nsteps:\n  - id: a\n    transfrom: 1\n", "yaml"),
    );
    expect(errors).toEqual([
      {
        path: "steps[0]",
        message: "expected one of action, transform, http or approval",
        line: 3,
        column: 5,
      },
    ]);
    const unknown = errorsOf(
      parseDefinition("name: x\nsteps:\n  - id: a\n    transform: 1\n    wiht: {}\n", "yaml"),
    );
    expect(unknown).toEqual([
      { path: "steps[0].wiht", message: 'unknown key "wiht"', line: 5, column: 5 },
    ]);
  });

  it("reports several errors at once, sorted by line", () => {
    const errors = errorsOf(
      parseDefinition(
        "name: Bad_Name\nsteps:\n  - id: a\n    action: aws.x.y\n    connection: one\n    connections: [two]\n    region: us-east-1\n    regions: '*'\n",
        "yaml",
      ),
    );
    expect(errors.map((e) => [e.path, e.line])).toEqual([
      ["name", 1],
      ["steps[0].connections", 6],
      ["steps[0].regions", 8],
    ]);
    const cross = errorsOf(
      parseDefinition(
        "name: ok\nsteps:\n  - id: a\n    action: aws.x.y\n    connection: one\n    connections: [two]\n    region: us-east-1\n    regions: '*'\n",
        "yaml",
      ),
    );
    expect(cross).toEqual([
      expect.objectContaining({
        path: "steps[0].connections",
        line: 6,
        message: "expected connection or connections, not both",
      }),
      expect.objectContaining({
        path: "steps[0].regions",
        line: 8,
        message: "expected region or regions, not both",
      }),
    ]);
  });

  it("refuses duplicate step ids, naming the second", () => {
    const errors = errorsOf(
      parseDefinition(
        "name: x\nsteps:\n  - id: a\n    transform: 1\n  - id: a\n    transform: 2\n",
        "yaml",
      ),
    );
    expect(errors).toEqual([
      { path: "steps[1].id", message: "step id a is already used by steps[0]", line: 5, column: 9 },
    ]);
  });

  it("refuses a forEach without an expression", () => {
    const errors = errorsOf(
      parseDefinition(
        "name: x\nsteps:\n  - id: a\n    action: aws.x.y\n    forEach: [1, 2]\n",
        "yaml",
      ),
    );
    expect(errors[0]).toMatchObject({ path: "steps[0].forEach", line: 5, column: 14 });
  });

  it("refuses a reference to a step that does not exist or runs later", () => {
    const source = SKETCH.replace(
      "regions: ${{ inputs.regions }}",
      "regions: ${{ steps.details.output }}",
    ).replace("region: ${{ item.region }}", "region: ${{ steps.nowhere.output }}");
    expect(errorsOf(parseDefinition(source, "yaml"))).toEqual([
      {
        path: "steps[0].regions",
        message: expect.stringMatching(/^steps\.details: step details runs later/) as string,
        line: 8,
        column: 14,
      },
      {
        path: "steps[1].region",
        message: "steps.nowhere: no step has the id nowhere",
        line: 14,
        column: 13,
      },
    ]);
  });

  it("refuses undeclared inputs, item outside forEach and secrets outside http", () => {
    const errors = errorsOf(
      parseDefinition(
        "name: x\nsteps:\n  - id: a\n    transform: ${{ inputs.nope }}\n  - id: b\n    transform: ${{ item }}\n  - id: c\n    transform: ${{ secrets.token }}\n",
        "yaml",
      ),
    );
    expect(errors.map((e) => [e.path, e.line, e.message])).toEqual([
      ["steps[0].transform", 4, "inputs.nope: the workflow declares no input nope"],
      ["steps[1].transform", 6, "item and index exist only in a step with forEach"],
      ["steps[2].transform", 8, "secrets.token: secrets are available only in http steps"],
    ]);
  });

  it("reports an expression's syntax error at its line and column, naming step and expression", () => {
    const source = SKETCH.replace(
      "$count(output.clusterArns) > 0] }}",
      "$count(output.clusterArns) > ] }}",
    );
    const [error, ...rest] = errorsOf(parseDefinition(source, "yaml"));
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ path: "steps[1].forEach", line: 12 });
    expect(error!.message).toMatch(
      /^steps\.details\.forEach: \$\{\{ steps\.clusters\.targets\[status = "succeeded" and .*\}\}: .+ at position \d+$/,
    );
    // The column points into the expression, past where it starts.
    expect(error!.column).toBeGreaterThan("    forEach: ${{ ".length);
  });

  it("reports YAML syntax errors with their line", () => {
    const errors = errorsOf(
      parseDefinition("name: x\nsteps:\n  - id: a\n   transform: [1, 2\n", "yaml"),
    );
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.path).toBe("");
    expect(errors[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it("reports JSON syntax errors with their line and column", () => {
    const errors = errorsOf(parseDefinition('{\n  "name": "x",\n  "steps": [}\n}', "json"));
    expect(errors[0]).toMatchObject({ path: "", line: 3 });
    expect(errors[0]!.message).toMatch(/^invalid JSON/);
  });

  it("leaves a block scalar's text as it is written", () => {
    const result = parseDefinition(
      "name: x\nsteps:\n  - id: a\n    transform: |\n      { a: ${{ 1 }} }\n",
      "yaml",
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.definition.steps[0]).toMatchObject({ transform: "{ a: ${{ 1 }} }\n" });
  });

  it("validates schedules, time zones and inputs' defaults", () => {
    const errors = errorsOf(
      parseDefinition(
        "name: x\ninputs:\n  n: { type: number, default: ten }\nsteps:\n  - id: a\n    transform: 1\ntriggers:\n  - schedule: '61 * * * *'\n    timezone: Mars/Olympus\n",
        "yaml",
      ),
    );
    expect(errors.map((e) => [e.path, e.line])).toEqual([
      ["inputs.n.default", 3],
      ["triggers[0].schedule", 8],
      ["triggers[0].timezone", 9],
    ]);
  });
});
