import { Invalid } from "../errors.js";
import { audienceFor, subjectFor } from "../oidc/index.js";
import type { ConnectionRecord } from "./connection-record.js";

const ACCESS_POLICIES = { view: "ViewOnlyAccess", read: "ReadOnlyAccess" } as const;

interface RoleParts {
  partition: string;
  accountId: string;
  path: string;
  name: string;
}

function roleParts(roleArn: string): RoleParts {
  const match = /^arn:([\w-]+):iam::(\d{12}):role(\/(?:[\w+=,.@-]+\/)*)?([\w+=,.@-]+)$/.exec(
    roleArn,
  );
  if (match === null)
    throw new Invalid(`cannot read the role ARN ${roleArn}`, { field: "roleArn" });
  return {
    partition: match[1] ?? "aws",
    accountId: match[2] ?? "",
    path: match[3] ?? "/",
    name: match[4] ?? "",
  };
}

/** An sts assumed-role ARN names a session of a role; a trust policy names the role itself. */
export function principalArnOf(callerArn: string): string {
  const assumed = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return assumed === null ? callerArn : `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`;
}

export interface SetupContext {
  orgName: string;
  oidcIssuer: string;
  /** assume_role: the connection's ExternalId. */
  externalId: string | null;
  /** The identity that calls sts:AssumeRole (from the source connection's last test), if known. */
  assumingArn: string | null;
}

export interface TrustPolicyDocument {
  policy: Record<string, unknown>;
  notes: string[];
}

function oidcHost(issuer: string): string {
  return issuer.replace(/^https?:\/\//, "");
}

function trustStatement(
  connection: ConnectionRecord,
  context: SetupContext,
  federated: unknown,
): TrustPolicyDocument {
  const s = connection.settings;
  if (s.method === "assume_role") {
    const notes: string[] = [];
    let principal = context.assumingArn;
    if (principal === null) {
      principal = "arn:aws:iam::SWITCHBOARD_ACCOUNT_ID:role/SWITCHBOARD_ROLE";
      notes.push(
        "Replace the principal with the ARN of the identity Switchboard runs as (test the source connection, or an ambient connection, to fill it in).",
      );
    }
    return {
      policy: {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "SwitchboardAssumeRole",
            Effect: "Allow",
            Principal: { AWS: principal },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "sts:ExternalId": context.externalId ?? "" } },
          },
        ],
      },
      notes,
    };
  }
  if (s.method === "web_identity") {
    const host = oidcHost(context.oidcIssuer);
    return {
      policy: {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "SwitchboardWebIdentity",
            Effect: "Allow",
            Principal: { Federated: federated },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                [`${host}:aud`]: audienceFor(context.orgName),
                [`${host}:sub`]: subjectFor(connection.name),
              },
            },
          },
        ],
      },
      notes: context.oidcIssuer.startsWith("https://")
        ? []
        : [
            "AWS only trusts an https issuer: set SWITCHBOARD_PUBLIC_URL or SWITCHBOARD_OIDC_ISSUER to an https URL.",
          ],
    };
  }
  throw new Invalid(`connection ${connection.name} uses ${s.method}: there is no role to trust`, {
    field: "method",
  });
}

/** The trust policy the connection's role needs: our principal + ExternalId, or our OIDC provider + aud/sub. */
export function trustPolicyFor(
  connection: ConnectionRecord,
  context: SetupContext,
): TrustPolicyDocument {
  const s = connection.settings;
  const federated =
    s.method === "web_identity"
      ? (() => {
          const role = roleParts(s.roleArn);
          return `arn:${role.partition}:iam::${role.accountId}:oidc-provider/${oidcHost(context.oidcIssuer)}`;
        })()
      : null;
  return trustStatement(connection, context, federated);
}

/**
 * A CloudFormation template that creates the role (and, for web identity, the IAM OIDC provider)
 * with the managed policy of the connection's access setting.
 */
export function setupTemplateFor(
  connection: ConnectionRecord,
  context: SetupContext,
): Record<string, unknown> {
  const s = connection.settings;
  if (s.method !== "assume_role" && s.method !== "web_identity") {
    throw new Invalid(
      `connection ${connection.name} uses ${s.method}: there is no role to create`,
      { field: "method" },
    );
  }
  const role = roleParts(s.roleArn);
  const resources: Record<string, unknown> = {};
  let trust: TrustPolicyDocument;
  if (s.method === "web_identity") {
    resources.SwitchboardOidcProvider = {
      Type: "AWS::IAM::OIDCProvider",
      Properties: { Url: context.oidcIssuer, ClientIdList: [audienceFor(context.orgName)] },
    };
    trust = trustStatement(connection, context, { Ref: "SwitchboardOidcProvider" });
  } else {
    trust = trustStatement(connection, context, null);
  }
  const managed =
    connection.access === "full"
      ? []
      : [
          {
            "Fn::Sub": `arn:\${AWS::Partition}:iam::aws:policy/${ACCESS_POLICIES[connection.access]}`,
          },
        ];
  resources.SwitchboardRole = {
    Type: "AWS::IAM::Role",
    Properties: {
      RoleName: role.name,
      Path: role.path,
      Description: `Switchboard connection ${connection.name} (${connection.access})`,
      AssumeRolePolicyDocument: trust.policy,
      ...(managed.length > 0 ? { ManagedPolicyArns: managed } : {}),
      MaxSessionDuration: Math.max(3600, s.sessionDurationSeconds ?? 3600),
    },
  };
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `Creates the IAM role Switchboard's connection ${connection.name} assumes${s.method === "web_identity" ? ", and the IAM OIDC provider for Switchboard's issuer" : ""}.${trust.notes.length > 0 ? ` Note: ${trust.notes.join(" ")}` : ""}${connection.access === "full" ? " Attach the permission policies its actions need (switchboard policy minimal)." : ""}`,
    Resources: resources,
    Outputs: {
      RoleArn: {
        Description: "Use as the connection's roleArn",
        Value: { "Fn::GetAtt": ["SwitchboardRole", "Arn"] },
      },
    },
  };
}
