import type { OnboardingView } from "./schemas.js";

const ACCESS_POLICIES = { view: "ViewOnlyAccess", read: "ReadOnlyAccess" } as const;

export interface TemplateContext {
  /** The Switchboard organization's name: member connections are `<name>-<account id>`. */
  organizationName: string;
  /** The tenant's name: the audience of web identity tokens. */
  orgName: string;
  oidcIssuer: string;
  /** assume_role: the identity that assumes every member role, and the onboarding's ExternalId. */
  hubPrincipalArn: string | null;
  externalId: string | null;
  audience: string;
}

/** The name of the member connection of an account. */
export function memberConnectionName(organizationName: string, accountId: string): string {
  return `${organizationName}-${accountId}`;
}

function oidcHost(issuer: string): string {
  return issuer.replace(/^https?:\/\//, "").replace(/\/$/, "");
}

function trustPolicy(onboarding: OnboardingView, context: TemplateContext): unknown {
  if (onboarding.method === "assume_role") {
    return {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "SwitchboardAssumeRole",
          Effect: "Allow",
          Principal: { AWS: context.hubPrincipalArn },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": context.externalId } },
        },
      ],
    };
  }
  const host = oidcHost(context.oidcIssuer);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "SwitchboardWebIdentity",
        Effect: "Allow",
        Principal: {
          Federated: {
            "Fn::Sub": `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/${host}`,
          },
        },
        Action: "sts:AssumeRoleWithWebIdentity",
        // Each account's role trusts only its own member connection's subject: the one template
        // serves every account, and no other connection name yields that subject.
        Condition: {
          StringEquals: {
            [`${host}:aud`]: context.audience,
            [`${host}:sub`]: {
              "Fn::Sub": `switchboard:connection/${context.organizationName}-\${AWS::AccountId}`,
            },
          },
        },
      },
    ],
  };
}

/**
 * The member role's template: a flat CloudFormation template that creates only the role (its
 * trust policy for the onboarding's method, the AWS managed policy of its access level). It calls
 * nothing back: AWS may not reach Switchboard. The same template serves the StackSet (every member
 * account) and the management account's single stack.
 */
export function memberRoleTemplate(
  onboarding: OnboardingView,
  context: TemplateContext,
): Record<string, unknown> {
  const managed =
    onboarding.access === "full"
      ? []
      : [
          {
            "Fn::Sub": `arn:\${AWS::Partition}:iam::aws:policy/${ACCESS_POLICIES[onboarding.access]}`,
          },
        ];
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `The IAM role Switchboard's organization ${context.organizationName} assumes in each account (${onboarding.method}, ${onboarding.access}).${onboarding.method === "web_identity" ? ` The account needs the IAM OIDC provider ${oidcHost(context.oidcIssuer)} with client id ${context.audience}.` : ""}`,
    Resources: {
      SwitchboardMemberRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: onboarding.roleName,
          Description: `Switchboard organization ${context.organizationName} (${onboarding.access})`,
          AssumeRolePolicyDocument: trustPolicy(onboarding, context),
          ...(managed.length > 0 ? { ManagedPolicyArns: managed } : {}),
          MaxSessionDuration: 3600,
        },
      },
    },
    Outputs: {
      RoleArn: { Value: { "Fn::GetAtt": ["SwitchboardMemberRole", "Arn"] } },
    },
  };
}

/** What the user must know beside the template. */
export function templateNotes(onboarding: OnboardingView, context: TemplateContext): string[] {
  const notes: string[] = [
    "Service-managed StackSets never deploy to the organization's management account: create the management account's role with the single-stack template (managementAccount.template) if you want it onboarded.",
    "Deploy it as a service-managed StackSet with automatic deployment on, to the onboarded OUs, in one region (an IAM role is global), with CAPABILITY_NAMED_IAM.",
  ];
  if (onboarding.access === "full")
    notes.push(
      "full access: the role gets no managed policy; attach the policies its actions need.",
    );
  if (onboarding.method === "web_identity") {
    notes.push(
      `Every account needs the IAM OIDC provider for ${oidcHost(context.oidcIssuer)} (client id ${context.audience}); the template does not create it, so it can live beside other stacks that do.`,
    );
    if (!context.oidcIssuer.startsWith("https://"))
      notes.push(
        "AWS only trusts an https issuer: set SWITCHBOARD_PUBLIC_URL or SWITCHBOARD_OIDC_ISSUER to an https URL.",
      );
  }
  return notes;
}

/** The CloudFormation console's page that creates a StackSet, in the region. */
export function consoleStackSetUrl(region: string): string {
  return `https://${region}.console.aws.amazon.com/cloudformation/home?region=${region}#/stacksets/create`;
}
