import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildWorld, DEFAULT_REGIONS, loadWorld, WorldError } from "../../emulator/index.js";
import { MAIN, testWorld } from "./test-world.js";

describe("world loading", () => {
  it("loads the demo world's accounts and resolves managed policies to AWS's documents", async () => {
    const world = await loadWorld(
      fileURLToPath(new URL("../../emulator/worlds/demo.yaml", import.meta.url)),
    );
    expect([...world.accounts.values()].map((a) => a.name)).toEqual([
      "management",
      "production",
      "staging",
      "payments",
      "qa",
      "sandbox",
      "sandbox-legacy",
    ]);
    const readRole = world.accounts.get("222222222222")?.roles.get("switchboard-read");
    const readOnly = readRole?.policies[0]?.document as { Statement: { Action: string[] }[] };
    expect(readOnly.Statement.flatMap((s) => s.Action)).toContain("ec2:Describe*");
  });

  it("defaults to the 17 regions AWS enables by default", () => {
    const input = testWorld();
    delete input.regions;
    expect(buildWorld(input).regions).toEqual(DEFAULT_REGIONS);
    expect(DEFAULT_REGIONS).toHaveLength(17);
  });

  it("refuses a trust policy naming an account the world does not have, by its path", () => {
    const input = testWorld();
    const role = input.accounts[0]?.roles?.[1];
    if (role === undefined) throw new Error("fixture changed");
    role.trust = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::999999999999:root" },
          Action: "sts:AssumeRole",
        },
      ],
    };
    expect(() => buildWorld(input)).toThrow(
      new WorldError(
        "accounts[0].roles[1].trust.Statement[0].Principal.AWS[0]",
        "unknown account in arn:aws:iam::999999999999:root",
      ),
    );
  });

  it("refuses a policy document with an invalid effect, by its path", () => {
    const input = testWorld();
    const user = input.accounts[0]?.users?.[2];
    if (user === undefined) throw new Error("fixture changed");
    user.policies = [
      { Version: "2012-10-17", Statement: [{ Effect: "Allw", Action: "s3:*", Resource: "*" }] },
    ];
    expect(() => buildWorld(input)).toThrow(
      /^accounts\[0\]\.users\[2\]\.policies\[0\]\.Statement\[0\]\.Effect/,
    );
  });

  it("refuses an unknown managed policy and a malformed account id", () => {
    const unknown = testWorld();
    const user = unknown.accounts[0]?.users?.[0];
    if (user === undefined) throw new Error("fixture changed");
    user.policies = ["arn:aws:iam::aws:policy/NoSuchPolicy"];
    expect(() => buildWorld(unknown)).toThrow(
      "accounts[0].users[0].policies[0]: no AWS managed policy arn:aws:iam::aws:policy/NoSuchPolicy",
    );
    const badId = testWorld();
    if (badId.accounts[0] !== undefined) badId.accounts[0].id = "1234";
    expect(() => buildWorld(badId)).toThrow(/^accounts\[0\]\.id: an account id has 12 digits/);
  });

  it("keeps each emulator's world separate from the object it was built from", () => {
    const input = testWorld();
    const world = buildWorld(input);
    const instances = world.accounts.get(MAIN)?.resources["us-east-1"]?.ec2?.Instances as unknown[];
    instances.pop();
    expect((input.accounts[0]?.resources?.["us-east-1"]?.ec2?.Instances as unknown[]).length).toBe(
      12,
    );
  });
});
