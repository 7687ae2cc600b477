import type { FastifyRequest } from "fastify";
import { Unauthenticated } from "../errors.js";
import { actorOf, type Principal, type RequestContext } from "../request-types.js";
import "./fastify-types.js";

/** The signed-in principal of a route that declared it needs one. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new Unauthenticated("sign in first");
  return request.principal;
}

/** Who and where, for the audit events a use case records. */
export function contextOf(request: FastifyRequest): RequestContext {
  const principal = principalOf(request);
  return {
    orgId: principal.orgId,
    actor: actorOf(principal),
    sourceIp: request.ip,
    requestId: request.id,
  };
}
