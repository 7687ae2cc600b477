import { AccountClient, paginateListRegions } from "@aws-sdk/client-account";
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import { SwitchboardError } from "../errors.js";
import type { Outbound } from "../outbound/index.js";
import type { ConnectionRecord } from "./connection-record.js";
import { recordHealth } from "./connections.js";
import type { Actor, CredentialDeps } from "./credential-deps.js";
import { explainAwsError, type TestPhase } from "./explain-aws-error.js";
import { notAwsResponse } from "./not-aws-response.js";
import { partitionOfArn, partitionOfRegion, regionsInPartition } from "./partition-regions.js";
import { credentialsFor } from "./resolve-credentials.js";
import type { ConnectionTest } from "./schemas.js";

type RequestHandler = ReturnType<Outbound["requestHandler"]>;

/** The handler with every request it sends aborted by `signal`. */
function abortedBy(handler: RequestHandler, signal: AbortSignal): RequestHandler {
  const handle = handler.handle.bind(handler);
  handler.handle = (request, options) => handle(request, { ...options, abortSignal: signal });
  return handler;
}

/** The region a test calls STS in: the connection's first. */
function regionOf(connection: ConnectionRecord): string {
  return connection.regions[0] ?? "us-east-1";
}

function clientConfig(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  credentials: AwsCredentialIdentityProvider,
  signal: AbortSignal,
) {
  return {
    region: regionOf(connection),
    credentials,
    requestHandler: abortedBy(deps.outbound.requestHandler(connection.orgId), signal),
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

/** The test's whole deadline ran out: what it waited on never answered. */
function unreachable(connection: ConnectionRecord, limitMs: number): SwitchboardError {
  const endpoint = connection.endpoint ?? `AWS (sts.${regionOf(connection)}.amazonaws.com)`;
  return new SwitchboardError(
    "AWS_UNREACHABLE",
    `no answer from ${endpoint} within ${limitMs / 1000} s: the connection test stopped waiting`,
  );
}

/**
 * Gets credentials from the provider, calls sts:GetCallerIdentity and lists the regions; a
 * failure explained in words. Stores nothing. The whole test ends within the SDK's silence limit
 * (30 s): each of its calls could otherwise wait that long on every one of the SDK's retries.
 */
export async function probeConnection(
  deps: CredentialDeps,
  connection: ConnectionRecord,
  provider: AwsCredentialIdentityProvider,
  options: { draft?: boolean } = {},
): Promise<ConnectionTest> {
  const checkedAt = deps.clock.now().toISOString();
  const limitMs = deps.outbound.sdkTimeouts.idleMs;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), limitMs);
  // The credential provider sends through its own clients, which the signal cannot reach: it is
  // raced against the deadline instead (its requests end at their own timeouts).
  const expired = new Promise<never>((_resolve, reject) => {
    deadline.signal.addEventListener("abort", () => reject(unreachable(connection, limitMs)), {
      once: true,
    });
  });
  expired.catch(() => undefined);
  const untilDeadline = <T>(work: Promise<T>): Promise<T> => Promise.race([work, expired]);
  let phase: TestPhase = "credentials";
  try {
    const credentials = await untilDeadline(provider());
    phase = "identity";
    const config = clientConfig(
      deps,
      connection,
      () => Promise.resolve(credentials),
      deadline.signal,
    );
    const identity = await untilDeadline(
      new STSClient(config).send(new GetCallerIdentityCommand({})),
    );
    // The caller's ARN names the account's partition; the region the calls went to, otherwise.
    const partition = partitionOfArn(identity.Arn) ?? partitionOfRegion(config.region);
    const regions = await untilDeadline(discoverRegions(config, partition)).catch(
      () => connection.regions,
    );
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
      error:
        notAwsResponse(error, connection) ??
        explainAwsError(
          deadline.signal.aborted ? unreachable(connection, limitMs) : error,
          phase,
          connection,
          { ...options, issuer: deps.oidc.issuer },
        ),
    };
  } finally {
    clearTimeout(timer);
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
  // Fresh credentials, not the cached ones: a test checks what AWS says now.
  const result = await probeConnection(
    deps,
    connection,
    credentialsFor(deps, connection, actor, { fresh: true }),
  );
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
