import { fromTemporaryCredentials, fromWebToken } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { mintConnectionToken } from "../oidc/index.js";
import { useSecret } from "../keystore/index.js";
import type { ConnectionRecord } from "./connection-record.js";
import type { Actor, CredentialDeps } from "./credential-deps.js";
import { findConnectionById } from "./connections.js";
import { credentialsRejected } from "./credentials-rejected.js";
import { externalIdValue } from "./external-id.js";
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

type AssumeRoleSettings = Extract<ConnectionRecord["settings"], { method: "assume_role" }>;

function auditContextOf(actor: Actor) {
  return {
    orgId: actor.orgId,
    actor: `user:${actor.userName}`,
    sourceIp: actor.sourceIp,
    requestId: actor.requestId,
  };
}

/** `sts:AssumeRole` (for an assume_role connection) with its own ExternalId, signed by `master`. */
async function assumeRole(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  s: AssumeRoleSettings,
  actor: Actor,
  master: AwsCredentialIdentityProvider,
): Promise<AwsCredentialIdentity> {
  if (connection.externalIdId === null) {
    throw new Error(`connection ${connection.name} has no ExternalId`);
  }
  const externalId = await externalIdValue(deps.db, connection.externalIdId);
  return fromTemporaryCredentials({
    masterCredentials: master,
    params: {
      RoleArn: s.roleArn,
      RoleSessionName: roleSessionName(actor.userName, actor.requestId),
      ExternalId: externalId,
      ...(s.sessionDurationSeconds === undefined
        ? {}
        : { DurationSeconds: s.sessionDurationSeconds }),
      PolicyArns: sessionPolicyArns(connection, s.roleArn, s.policyArns),
    },
    clientConfig: stsClientConfig(deps, connection),
  })();
}

/**
 * An assume_role connection's credentials, its source looked up once. When AWS refuses the identity it assumes the role with
 * (its session revoked, the instance's metadata service restarted), that identity is refreshed —
 * unless someone already did — and the role assumed once more.
 */
async function assumeRoleRefreshingSource(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  s: AssumeRoleSettings,
  actor: Actor,
): Promise<AwsCredentialIdentity> {
  const { sourceConnectionId } = s;
  const source =
    sourceConnectionId === undefined
      ? undefined
      : await findConnectionById(deps.db, sourceConnectionId);
  const master =
    source === undefined ? deps.ambientProvider() : credentialsFor(deps, source, actor);
  const used = await master();
  try {
    return await assumeRole(deps, connection, s, actor, master);
  } catch (error) {
    if (!credentialsRejected(error)) throw error;
    if (source !== undefined) deps.cache.reject(source.id, actor.userName, used);
    // The default chain hands every caller the same object until it refreshes.
    else if ((await master()) === used) await deps.ambientProvider()({ forceRefresh: true });
    return assumeRole(deps, connection, s, actor, master);
  }
}

/** `fresh`: the SDK's default chain must refresh the credentials it keeps (see FetchCredentials). */
async function fetchCredentials(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  actor: Actor,
  fresh: boolean,
): Promise<AwsCredentialIdentity> {
  const s = connection.settings;
  switch (s.method) {
    case "ambient":
      return deps.ambientProvider()(fresh ? { forceRefresh: true } : {});
    case "access_key": {
      const secretAccessKey = await useSecret(deps.keystore, connection.orgId, s.secretPath, {
        auditContext: auditContextOf(actor),
        purpose: `connection ${connection.name}: secret access key`,
      });
      return { accessKeyId: s.accessKeyId, secretAccessKey };
    }
    case "assume_role":
      return assumeRoleRefreshingSource(deps, connection, s, actor);
    case "web_identity": {
      const { token } = await mintConnectionToken(deps.oidc, {
        org: actor.orgName,
        connectionName: connection.name,
        auditContext: auditContextOf(actor),
      });
      return fromWebToken({
        roleArn: s.roleArn,
        webIdentityToken: token,
        roleSessionName: roleSessionName(actor.userName, actor.requestId),
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
 * client. It never falls back to another identity: a method that fails, fails. `fresh` (a
 * connection test): its first call fetches new credentials instead of reusing cached ones.
 */
export function credentialsFor(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  actor: Actor,
  options: { fresh?: boolean } = {},
): AwsCredentialIdentityProvider {
  const s = connection.settings;
  const session =
    s.method === "assume_role" || s.method === "web_identity"
      ? roleSessionName(actor.userName, actor.requestId)
      : undefined;
  let fresh = options.fresh === true;
  return () => {
    const get = deps.cache.get(
      connection.id,
      actor.userName,
      (refresh) => fetchCredentials(deps, connection, actor, refresh),
      session,
      { fresh },
    );
    fresh = false;
    return get;
  };
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
  return () => fetchCredentials(deps, connection, actor, true);
}
