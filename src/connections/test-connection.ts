import { AccountClient, paginateListRegions } from "@aws-sdk/client-account";
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import type { ConnectionRecord } from "./connection-record.js";
import { recordHealth } from "./connections.js";
import type { Actor, CredentialDeps } from "./credential-deps.js";
import { explainAwsError, type TestPhase } from "./explain-aws-error.js";
import { partitionOfArn, partitionOfRegion, regionsInPartition } from "./partition-regions.js";
import { credentialsFor } from "./resolve-credentials.js";
import type { ConnectionTest } from "./schemas.js";

function clientConfig(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  credentials: AwsCredentialIdentityProvider,
) {
  return {
    region: connection.regions[0] ?? "us-east-1",
    credentials,
    requestHandler: deps.outbound.requestHandler(connection.orgId),
    ...(connection.endpoint === null ? {} : { endpoint: connection.endpoint }),
  };
}

/**
 * account:ListRegions, or ec2:DescribeRegions where the Account API is not allowed or not there;
 * either way only the regions of the account's partition (see regionsInPartition).
 */
async function discoverRegions(
  config: ReturnType<typeof clientConfig>,
  partition: string,
): Promise<string[]> {
  return regionsInPartition(await listRegions(config), partition);
}

async function listRegions(config: ReturnType<typeof clientConfig>): Promise<string[]> {
  try {
    const regions: string[] = [];
    const pages = paginateListRegions(
      { client: new AccountClient(config) },
      { RegionOptStatusContains: ["ENABLED", "ENABLED_BY_DEFAULT"] },
    );
    for await (const page of pages) {
      for (const region of page.Regions ?? [])
        if (region.RegionName !== undefined) regions.push(region.RegionName);
    }
    return regions.sort();
  } catch {
    const result = await new EC2Client(config).send(new DescribeRegionsCommand({}));
    return (result.Regions ?? [])
      .flatMap((r) => (r.RegionName === undefined ? [] : [r.RegionName]))
      .sort();
  }
}

/**
 * Gets credentials from the provider, calls sts:GetCallerIdentity and lists the regions; a
 * failure explained in words. Stores nothing.
 */
export async function probeConnection(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  provider: AwsCredentialIdentityProvider,
  options: { draft?: boolean } = {},
): Promise<ConnectionTest> {
  const checkedAt = deps.clock.now().toISOString();
  let phase: TestPhase = "credentials";
  try {
    const credentials = await provider();
    phase = "identity";
    const config = clientConfig(deps, connection, () => Promise.resolve(credentials));
    const identity = await new STSClient(config).send(new GetCallerIdentityCommand({}));
    // The caller's ARN names the account's partition; the region the calls went to, otherwise.
    const partition = partitionOfArn(identity.Arn) ?? partitionOfRegion(config.region);
    const regions = await discoverRegions(config, partition).catch(() => connection.regions);
    return {
      ok: true,
      checkedAt,
      accountId: identity.Account ?? null,
      arn: identity.Arn ?? null,
      regions,
      error: null,
    };
  } catch (error) {
    return {
      ok: false,
      checkedAt,
      accountId: null,
      arn: null,
      regions: [],
      error: explainAwsError(error, phase, connection, options),
    };
  }
}

/**
 * Tests a saved connection (see probeConnection) and stores the outcome as its health record.
 */
export async function testConnection(
  deps: CredentialDeps,
  context: RequestContext,
  connection: ConnectionRecord,
  actor: Actor,
): Promise<ConnectionTest> {
  const result = await probeConnection(deps, connection, credentialsFor(deps, connection, actor));
  if (!result.ok) deps.cache.forget(connection.id);
  await deps.db.transaction().execute(async (tx) => {
    await recordHealth(
      tx,
      connection.id,
      result,
      result.ok && connection.regions.length === 0 ? result.regions : undefined,
    );
    await recordAuditEvent(tx, context, {
      action: "connection.test",
      objectType: "connection",
      objectId: connection.name,
      outcome: result.ok ? "success" : "failure",
      detail: result.ok ? { accountId: result.accountId } : { error: result.error?.code },
    });
  });
  return result;
}
