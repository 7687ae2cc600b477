import { describe, expect, it } from "vitest";
import { parseSecretPath } from "./secret-path.js";

describe("parseSecretPath", () => {
  it("reads the system and project scopes", () => {
    expect(parseSecretPath("keys/system/aws/prod-key")).toEqual({
      path: "keys/system/aws/prod-key",
      scope: { kind: "system" },
      name: "aws/prod-key",
    });
    expect(parseSecretPath("keys/project/ops/aws-secret").scope).toEqual({
      kind: "project",
      project: "ops",
    });
  });

  it("refuses anything else, naming the field", () => {
    for (const bad of [
      "keys/other/x",
      "keys/system/",
      "keys/system/../x",
      "keys/project/ops",
      "keys/project/Ops/x",
      "/keys/system/x",
      "keys/system/a//b",
    ]) {
      expect(() => parseSecretPath(bad), bad).toThrow(/is not a secret path/);
    }
  });
});
