import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { AwsError } from "../aws-error.js";
import { identityPolicies, type Principal } from "./principal.js";

export type AuthorizationRequest = {
  principal: Principal;
  action: string;
  resource: string;
  resourceAccountId: string;
  region: string;
  resourcePolicy?: unknown;
  /** Keys beyond the principal's own (sts:ExternalId…); they are part of the cache key. */
  context?: Record<string, string | string[]>;
  /**
   * The service control policies over the principal's account, root first, and a key that
   * changes whenever they do (organization version and path), for the cache.
   */
  serviceControlPolicies?: {
    levels: { orgIdentifier: string; policies: { name: string; policy: unknown }[] }[];
    key: string;
  };
};

export type Decision =
  | { allowed: true }
  | {
      allowed: false;
      because:
        | "explicit-deny"
        | "no-identity-allow"
        | "no-session-allow"
        | "no-resource-allow"
        | "scp-explicit-deny"
        | "scp-no-allow";
    };

export type Authorizer = {
  authorize(request: AuthorizationRequest): Promise<Decision>;
  /** Forget cached decisions, after a write that changes a policy. */
  clear(): void;
  readonly stats: { evaluations: number; cacheHits: number };
};

function principalContext(principal: Principal, region: string): Record<string, string> {
  const context: Record<string, string> = {
    "aws:PrincipalArn": principal.kind === "user" ? principal.arn : principal.role.arn,
    "aws:PrincipalAccount": principal.accountId,
    "aws:PrincipalType": principal.kind === "user" ? "User" : "AssumedRole",
    "aws:userid": principal.userId,
    "aws:RequestedRegion": region,
    "aws:SecureTransport": "false",
  };
  if (principal.kind === "user") context["aws:username"] = principal.user.name;
  return context;
}

/**
 * Evaluates requests like IAM with @cloud-copilot/iam-simulate: identity policies, intersected
 * with an assumed-role session's policies, plus a resource policy when the resource has one.
 * Decisions are cached by everything that feeds them, so steady traffic costs a map lookup.
 */
export function createAuthorizer(): Authorizer {
  const cache = new Map<string, Decision>();
  const stats = { evaluations: 0, cacheHits: 0 };
  const sessionKeys = new WeakMap<object, string>();
  let sessionCounter = 0;

  const principalKey = (p: Principal): string => {
    if (p.kind === "user" || p.sessionPolicy === undefined) return p.arn;
    let key = sessionKeys.get(p.sessionPolicy);
    if (key === undefined) {
      key = `#${++sessionCounter}`;
      sessionKeys.set(p.sessionPolicy, key);
    }
    return `${p.arn}${key}`;
  };

  const evaluate = async (request: AuthorizationRequest): Promise<Decision> => {
    stats.evaluations++;
    const { principal } = request;
    const simulation: Simulation = {
      request: {
        principal: principal.arn,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccountId },
        contextVariables: { ...principalContext(principal, request.region), ...request.context },
      },
      identityPolicies: identityPolicies(principal),
      serviceControlPolicies: request.serviceControlPolicies?.levels ?? [],
      resourceControlPolicies: [],
      ...(principal.kind === "assumed-role" && principal.sessionPolicy !== undefined
        ? { sessionPolicy: principal.sessionPolicy }
        : {}),
      ...(request.resourcePolicy !== undefined ? { resourcePolicy: request.resourcePolicy } : {}),
    };
    const result = await runSimulation(simulation, {});
    // iam-simulate refuses actions and resources its IAM data does not know; say so in AWS's shape.
    if (result.resultType === "error")
      throw new AwsError(
        "InternalFailure",
        `The emulator cannot evaluate ${request.action} on ${request.resource}: ${result.errors.message}`,
        500,
      );
    if (result.overallResult === "Allowed") return { allowed: true };
    const analysis =
      result.resultType === "single" ? result.result.analysis : result.results[0]?.analysis;
    // AWS names one policy type in a denial; an SCP's is named first, as its console does.
    if (request.serviceControlPolicies !== undefined) {
      if (analysis?.scpAnalysis?.result === "ExplicitlyDenied")
        return { allowed: false, because: "scp-explicit-deny" };
      if (analysis?.scpAnalysis !== undefined && analysis.scpAnalysis.result !== "Allowed")
        return { allowed: false, because: "scp-no-allow" };
    }
    if (result.overallResult === "ExplicitlyDenied")
      return { allowed: false, because: "explicit-deny" };
    if (analysis?.identityAnalysis?.result === "Allowed" && analysis.sessionAnalysis !== undefined)
      return { allowed: false, because: "no-session-allow" };
    if (analysis?.identityAnalysis?.result === "Allowed")
      return { allowed: false, because: "no-resource-allow" };
    return { allowed: false, because: "no-identity-allow" };
  };

  return {
    stats,
    clear: () => cache.clear(),
    async authorize(request) {
      const key = [
        principalKey(request.principal),
        request.action,
        request.resource,
        request.region,
        request.resourcePolicy === undefined ? "" : JSON.stringify(request.resourcePolicy),
        request.context === undefined ? "" : JSON.stringify(request.context),
        request.serviceControlPolicies?.key ?? "",
      ].join("\n");
      const cached = cache.get(key);
      if (cached !== undefined) {
        stats.cacheHits++;
        return cached;
      }
      const decision = await evaluate(request);
      cache.set(key, decision);
      return decision;
    },
  };
}
