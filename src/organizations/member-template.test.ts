import { describe, expect, it } from "vitest";
import { consoleStackSetUrl, memberRoleTemplate, templateNotes } from "./member-template.js";
import type { OnboardingView } from "./schemas.js";

const onboarding: OnboardingView = {
  ous: ["ou-abcd-11111111"],
  skipAccounts: [],
  roleName: "switchboard-member",
  access: "read",
  regions: ["us-east-1"],
  method: "assume_role",
  hubConnection: null,
  reconcileSchedule: "*/15 * * * *",
  onboardedAt: "2026-12-04T00:00:00.000Z",
};
const context = {
  organizationName: "acme",
  orgName: "default",
  oidcIssuer: "https://switchboard.example.com",
  hubPrincipalArn: "arn:aws:iam::111111111111:role/host",
  externalId: "switchboard-abc",
  audience: "default/app-id/switchboard.aws.connector",
};

type Role = {
  Type: string;
  Properties: {
    RoleName: string;
    AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] };
    ManagedPolicyArns?: unknown[];
  };
};
const roleOf = (template: Record<string, unknown>) =>
  (template.Resources as Record<string, Role>).SwitchboardMemberRole as Role;

describe("the member role template", () => {
  it("creates only the role, trusting the hub's identity with the onboarding's one ExternalId", () => {
    const template = memberRoleTemplate(onboarding, context);
    expect(Object.keys(template.Resources as object)).toEqual(["SwitchboardMemberRole"]);
    const role = roleOf(template);
    expect(role.Type).toBe("AWS::IAM::Role");
    expect(role.Properties.RoleName).toBe("switchboard-member");
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Principal: { AWS: "arn:aws:iam::111111111111:role/host" },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": "switchboard-abc" } },
    });
    expect(role.Properties.ManagedPolicyArns).toEqual([
      { "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess" },
    ]);
    expect(JSON.stringify(template)).not.toMatch(/Custom::|Lambda|SNS|http/);
  });

  it("attaches ViewOnlyAccess for view and no managed policy for full", () => {
    expect(
      roleOf(memberRoleTemplate({ ...onboarding, access: "view" }, context)).Properties
        .ManagedPolicyArns,
    ).toEqual([{ "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ViewOnlyAccess" }]);
    const full = { ...onboarding, access: "full" as const };
    expect(roleOf(memberRoleTemplate(full, context)).Properties.ManagedPolicyArns).toBeUndefined();
    expect(templateNotes(full, context).join(" ")).toMatch(/no managed policy/);
  });

  it("trusts, for web identity, each account's own member connection subject only", () => {
    const template = memberRoleTemplate({ ...onboarding, method: "web_identity" }, context);
    const statement = roleOf(template).Properties.AssumeRolePolicyDocument.Statement[0];
    expect(statement).toMatchObject({
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          "switchboard.example.com:aud": "default/app-id/switchboard.aws.connector",
          "switchboard.example.com:sub": {
            "Fn::Sub": "switchboard:connection/acme-${AWS::AccountId}",
          },
        },
      },
    });
  });

  it("says the management account needs its own single stack, and links the console", () => {
    expect(templateNotes(onboarding, context)[0]).toMatch(
      /never deploy to the organization's management account/,
    );
    expect(consoleStackSetUrl("eu-west-1")).toBe(
      "https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1#/stacksets/create",
    );
  });
});
