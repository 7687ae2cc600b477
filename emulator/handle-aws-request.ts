import { randomUUID } from "node:crypto";
import { AwsError } from "./aws-error.js";
import type { EmulatorParts } from "./emulator-parts.js";
import { denialMessage } from "./iam/denial-message.js";
import type { Principal } from "./iam/principal.js";
import { bump } from "./knobs/counters.js";
import { latencyFor } from "./knobs/knobs.js";
import { notAwsAnswer } from "./knobs/not-aws-answer.js";
import { checkInputConstraints } from "./model/input-constraints.js";
import { checkRequiredMembers } from "./model/required-members.js";
import { selectModel } from "./model/select-model.js";
import type { ServiceModel } from "./model/service-model.js";
import { checkJsonInputTypes } from "./protocols/json-input-types.js";
import { parseInput, resolveOperation, type ProtocolRequest } from "./protocols/parse-request.js";
import { accessDenied, authErrors, injectedFault, throttled } from "./protocols/service-errors.js";
import { serializeError, serializeOutput } from "./protocols/serialize-response.js";
import type { WireResponse } from "./protocols/wire-response.js";
import { authenticate } from "./sigv4/authenticate.js";
import { checkCredentialScope, endpointFromHost } from "./sigv4/credential-scope.js";
import { parseAuthorization, parsePresignedQuery } from "./sigv4/parse-authorization.js";
import type { CallContext } from "./services/call-context.js";
import { genericRead } from "./services/generic-read.js";
import { SERVICES } from "./services/service-registry.js";
import { scpLevelsFor } from "./world/service-control-policies.js";
import { assumeRoleWithWebIdentity } from "./services/web-identity.js";

const READ_OPERATION = /^(Describe|List|Get)/;
const DENIAL_CODES = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);

/** Waits `ms`, or less if the client goes: nobody waits for the answer any more. */
function sleep(ms: number, clientGone: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      clientGone?.removeEventListener("abort", done);
      resolve();
    }
    if (clientGone?.aborted === true) done();
    else clientGone?.addEventListener("abort", done);
  });
}

/** Answers a request that carries no SigV4 signature: web identity, or the missing-auth error. */
async function handleUnsigned(
  parts: EmulatorParts,
  request: ProtocolRequest,
  requestId: string,
): Promise<WireResponse> {
  const { counters } = parts;
  const sts = parts.modelFor("sts");
  const form = new URLSearchParams(request.body.toString("utf8"));
  if (
    sts !== undefined &&
    request.method === "POST" &&
    form.get("Action") === "AssumeRoleWithWebIdentity"
  ) {
    const resolved = resolveOperation(sts, request);
    counters.total++;
    bump(counters.byService, "sts");
    bump(counters.byOperation, "sts:AssumeRoleWithWebIdentity");
    try {
      const output = await assumeRoleWithWebIdentity(
        { world: parts.world, sessions: parts.sessions, keys: parts.oidcKeys, now: parts.now },
        parseInput(sts, resolved, request),
      );
      return serializeOutput(sts, resolved.operation, output, requestId);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      if (DENIAL_CODES.has(error.code)) counters.denials++;
      return serializeError(sts, error, requestId);
    }
  }
  // Without a credential scope the service is unknown; answer in the shape the request suggests.
  const guess =
    request.query.has("Action") || form.has("Action")
      ? "sts"
      : request.headers["x-amz-target"] !== undefined
        ? "logs"
        : "s3";
  const model = parts.modelFor(guess);
  counters.authFailures++;
  if (model === undefined) return { status: 403, headers: {}, body: "" };
  return serializeError(model, authErrors.missingAuthentication(guess, model.protocol), requestId);
}

function callContext(
  parts: EmulatorParts,
  principal: Principal,
  model: ServiceModel,
  region: string,
  resolved: ReturnType<typeof resolveOperation>,
): CallContext {
  const account = parts.world.accounts.get(principal.accountId);
  if (account === undefined) throw authErrors.unknownAccessKey(model.signingName, model.protocol);
  return {
    world: parts.world,
    account,
    region,
    principal,
    model,
    operation: resolved.operation,
    authorizer: parts.authorizer,
    sessions: parts.sessions,
    knobs: parts.knobs,
    now: parts.now,
    state: parts.state,
    async authorize(action, resource, options = {}) {
      const scps = scpLevelsFor(parts.world.organization, principal);
      const decision = await parts.authorizer.authorize({
        principal,
        action,
        resource,
        resourceAccountId: options.resourceAccountId ?? account.id,
        region,
        ...(options.resourcePolicy !== undefined ? { resourcePolicy: options.resourcePolicy } : {}),
        ...(options.context !== undefined ? { context: options.context } : {}),
        ...(scps !== undefined ? { serviceControlPolicies: scps } : {}),
      });
      if (!decision.allowed)
        throw accessDenied(
          model.signingName,
          model.protocol,
          // SQS names the action in lower case in its denials (measured: "not authorized to
          // perform: sqs:sendmessage on resource: … allows the sqs:sendmessage action").
          denialMessage(
            principal.arn,
            model.name === "sqs" ? action.toLowerCase() : action,
            resource,
            decision,
          ),
        );
    },
  };
}

/**
 * The model of the service a host name belongs to (`dynamodb.us-east-1.amazonaws.com` → DynamoDB),
 * which answers a request signed for another service; the scope's model for S3's hosts and for
 * the prefixes the emulator has no model of.
 */
function endpointModel(
  parts: EmulatorParts,
  endpoint: NonNullable<ReturnType<typeof endpointFromHost>>,
  scopeModel: ServiceModel,
): ServiceModel {
  const prefix = endpoint.endpointPrefix?.replace(/-fips$/, "");
  if (prefix === undefined || prefix === scopeModel.endpointPrefix) return scopeModel;
  const owner = parts.modelFor(prefix.split(".").at(-1) ?? prefix);
  return owner !== undefined && owner.endpointPrefix === prefix ? owner : scopeModel;
}

/**
 * Serves one AWS API request: operation from the protocol, knobs, SigV4, throttling and faults,
 * then the service's behaviour, answered in the protocol's wire format.
 */
export async function handleAwsRequest(
  parts: EmulatorParts,
  request: ProtocolRequest,
  rawPath: string,
  rawQuery: string,
  /** Aborted when the client closes its connection before the answer. */
  clientGone?: AbortSignal,
): Promise<WireResponse> {
  const requestId = randomUUID();
  const header = request.headers.authorization;
  const authorization =
    parseAuthorization(typeof header === "string" ? header : undefined) ??
    parsePresignedQuery(request.query);
  const notAws = notAwsAnswer(parts.knobs.notAws, authorization?.service);
  if (notAws !== undefined) {
    parts.counters.notAws++;
    return notAws;
  }
  if (authorization === undefined) return handleUnsigned(parts, request, requestId);

  const { counters, knobs } = parts;
  const { service, region } = authorization;
  const model = selectModel(parts.modelFor, service, request);
  if (model === undefined)
    return {
      status: 400,
      headers: { "content-type": "text/plain" },
      body: `The emulator has no model for service ${service}`,
    };
  try {
    const resolved = resolveOperation(model, request);
    const operationName = resolved.operation.name;
    counters.total++;
    bump(counters.byService, service);
    bump(counters.byOperation, `${service}:${operationName}`);

    let principal: Principal;
    try {
      const endpoint = endpointFromHost(String(request.headers.host ?? ""));
      if (endpoint !== undefined) {
        const owner = endpointModel(parts, endpoint, model);
        try {
          checkCredentialScope(endpoint, authorization, owner);
        } catch (error) {
          // Signed for another service: that endpoint's service answers, in its own protocol.
          if (owner !== model && error instanceof AwsError) {
            counters.authFailures++;
            return serializeError(owner, error, requestId);
          }
          throw error;
        }
      }
      principal = await authenticate(
        {
          world: parts.world,
          sessions: parts.sessions,
          verifiers: parts.verifiers,
          now: parts.now,
        },
        { method: request.method, rawPath, rawQuery, headers: request.headers, body: request.body },
        authorization,
        model.protocol,
      );
    } catch (error) {
      counters.authFailures++;
      throw error;
    }
    bump(counters.byAccount, principal.accountId);
    bump(counters.byCaller, principal.arn);
    bump(
      counters.byAccountRegionOperation,
      `${principal.accountId}|${region}|${service}:${operationName}`,
    );
    const flight = `${principal.accountId}|${region}|${service}`;
    const flying = (parts.inFlight.get(flight) ?? 0) + 1;
    parts.inFlight.set(flight, flying);
    if (flying > (counters.peakInFlight[flight] ?? 0)) counters.peakInFlight[flight] = flying;
    // A call is in flight for its client until answered or abandoned (the client closed its
    // connection): AWS may still carry it out, but the client no longer holds it.
    let landed = false;
    const land = () => {
      if (landed) return;
      landed = true;
      clientGone?.removeEventListener("abort", land);
      const left = (parts.inFlight.get(flight) ?? 1) - 1;
      if (left === 0) parts.inFlight.delete(flight);
      else parts.inFlight.set(flight, left);
    };
    if (clientGone?.aborted === true) land();
    else clientGone?.addEventListener("abort", land);
    try {
      const latency = latencyFor(knobs, service);
      if (latency > 0) await sleep(latency, clientGone);

      const throttle = knobs.throttle;
      if (
        throttle !== undefined &&
        (throttle.services?.includes(service) ?? true) &&
        (throttle.accounts?.includes(principal.accountId) ?? true)
      ) {
        const key = `${principal.accountId}|${region}|${service}:${operationName}`;
        if (!parts.buckets.take(key, throttle.ratePerSecond, throttle.burst, Date.now())) {
          counters.throttles++;
          throw throttled(service, model.protocol);
        }
      }
      if (knobs.faultRate > 0 && parts.random() < knobs.faultRate) {
        counters.faults++;
        throw injectedFault(service, model.protocol, knobs.faultStatus);
      }

      const ctx = callContext(parts, principal, model, region, resolved);
      const input = parseInput(model, resolved, request);
      checkJsonInputTypes(model, resolved.operation.input, input);
      checkInputConstraints(model, operationName, input);
      checkRequiredMembers(model, resolved.operation, input);
      const handler =
        SERVICES[model.name]?.[operationName] ??
        (READ_OPERATION.test(operationName) ? genericRead : undefined);
      if (handler === undefined)
        throw new AwsError(
          "NotImplemented",
          `The emulator does not implement ${service}:${operationName}`,
          501,
        );
      const output = await handler(ctx, input);
      // EC2's DryRun: the permission checks passed (a denial was thrown as UnauthorizedOperation),
      // so EC2 answers DryRunOperation instead of the result. A handler that changes the world
      // checks DryRun itself before changing it (TerminateInstances).
      if (model.protocol === "ec2" && input.DryRun === true)
        throw new AwsError(
          "DryRunOperation",
          "Request would have succeeded, but DryRun flag is set.",
          412,
        );
      return serializeOutput(model, resolved.operation, output, requestId);
    } finally {
      land();
    }
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    if (DENIAL_CODES.has(error.code)) counters.denials++;
    return serializeError(model, error, requestId);
  }
}
