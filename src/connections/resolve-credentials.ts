import { fromTemporaryCredentials, fromWebToken } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { mintConnectionToken } from "../oidc/index.js";
import { useSecret } from "../keystore/index.js";
import type { ConnectionRecord } from "./connection-record.js";
import type { Actor, CredentialDeps } from "./credential-deps.js";
import { findConnectionById } from "./connections.js";
import { externalIdOf } from "./external-id.js";
import { roleSessionName } from "./session-name.js";

const ACCESS_POLICY: Record<"view" | "read", string> = {
  view: "ViewOnlyAccess",
  read: "ReadOnlyAccess",
};

function partitionOf(roleArn: string): string {
  return roleArn.split(":")[1] ?? "aws";
}

/**
 * The session policies of an assumed role: the connection's own, plus the AWS managed policy
 * of its access setting, so AWS enforces `view`/`read` a second time.
 */
export function sessionPolicyArns(
  connection: ConnectionRecord,
  roleArn: string,
  extra: string[] | undefined,
): { arn: string }[] {
  const arns = [...(extra ?? [])];
  if (connection.access !== "full") {
    arns.push(`arn:${partitionOf(roleArn)}:iam::aws:policy/${ACCESS_POLICY[connection.access]}`);
  }
  return arns.map((arn) => ({ arn }));
}

/** STS is called in the connection's first region (regional endpoint), through the outbound layer. */
function stsClientConfig(deps: CredentialDeps, connection: ConnectionRecord) {
  return {
    region: connection.regions[0] ?? "us-east-1",
    requestHandler: deps.outbound.requestHandler(connection.orgId),
    ...(connection.endpoint === null ? {} : { endpoint: connection.endpoint }),
  };
}

async function fetchCredentials(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  actor: Actor,
): Promise<AwsCredentialIdentity> {
  const s = connection.settings;
  const sessionName = roleSessionName(actor.userName, actor.requestId);
  const auditContext = {
    orgId: actor.orgId,
    actor: `user:${actor.userName}`,
    sourceIp: actor.sourceIp,
    requestId: actor.requestId,
  };
  switch (s.method) {
    case "ambient":
      return deps.ambientProvider()();
    case "access_key": {
      const secretAccessKey = await useSecret(deps.keystore, connection.orgId, s.secretPath, {
        auditContext,
        purpose: `connection ${connection.name}: secret access key`,
      });
      return { accessKeyId: s.accessKeyId, secretAccessKey };
    }
    case "assume_role": {
      const master =
        s.sourceConnectionId === undefined
          ? deps.ambientProvider()
          : credentialsFor(deps, await findConnectionById(deps.db, s.sourceConnectionId), actor);
      const externalId = await externalIdOf(deps.db, connection.orgId, deps.clock.now());
      return fromTemporaryCredentials({
        masterCredentials: master,
        params: {
          RoleArn: s.roleArn,
          RoleSessionName: sessionName,
          ExternalId: externalId,
          ...(s.sessionDurationSeconds === undefined
            ? {}
            : { DurationSeconds: s.sessionDurationSeconds }),
          PolicyArns: sessionPolicyArns(connection, s.roleArn, s.policyArns),
        },
        clientConfig: stsClientConfig(deps, connection),
      })();
    }
    case "web_identity": {
      const { token } = await mintConnectionToken(deps.oidc, {
        org: actor.orgName,
        connectionName: connection.name,
        auditContext,
      });
      return fromWebToken({
        roleArn: s.roleArn,
        webIdentityToken: token,
        roleSessionName: sessionName,
        ...(s.sessionDurationSeconds === undefined
          ? {}
          : { durationSeconds: s.sessionDurationSeconds }),
        policyArns: sessionPolicyArns(connection, s.roleArn, s.policyArns),
        clientConfig: stsClientConfig(deps, connection),
      })();
    }
  }
}

/**
 * The credential provider of a connection for one acting user, shared by every region and
 * client. It never falls back to another identity: a method that fails, fails.
 */
export function credentialsFor(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  actor: Actor,
): AwsCredentialIdentityProvider {
  const s = connection.settings;
  const session =
    s.method === "assume_role" || s.method === "web_identity"
      ? roleSessionName(actor.userName, actor.requestId)
      : undefined;
  return () =>
    deps.cache.get(
      connection.id,
      actor.userName,
      () => fetchCredentials(deps, connection, actor),
      session,
    );
}

/**
 * Credentials for a connection that is not saved (a draft being tested before it is created):
 * fetched on every call and never cached, so nothing of the draft outlives the request.
 */
export function uncachedCredentialsFor(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  actor: Actor,
): AwsCredentialIdentityProvider {
  return () => fetchCredentials(deps, connection, actor);
}
