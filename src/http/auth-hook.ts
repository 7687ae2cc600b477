import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  authenticateApiToken,
  authenticateSession,
  authorize,
  SESSION_COOKIE,
  type AccessDeps,
  type Principal,
} from "../access/index.js";
import { Unauthenticated } from "../errors.js";
import "./fastify-types.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

async function resolvePrincipal(
  deps: AccessDeps,
  request: FastifyRequest,
): Promise<Principal | undefined> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match?.[1] === undefined) {
      throw new Unauthenticated("the Authorization header must be 'Bearer sb_…'", {
        code: "INVALID_CREDENTIALS",
      });
    }
    return authenticateApiToken(deps, match[1]);
  }
  const session = request.cookies[SESSION_COOKIE];
  if (session !== undefined && session !== "") {
    const csrf = request.headers["x-csrf-token"];
    return authenticateSession(deps, session, {
      required: !SAFE_METHODS.has(request.method),
      token: typeof csrf === "string" ? csrf : undefined,
    });
  }
  return undefined;
}

/**
 * Every API route declares what it needs (`config.access`); a route that forgets is refused
 * at start. The principal is resolved before the body is parsed, so an anonymous caller
 * learns nothing from validation errors.
 */
export function registerAuth(app: FastifyInstance, deps: AccessDeps, apiPrefix: string): void {
  app.decorateRequest("principal", undefined);
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith(apiPrefix) && route.config?.access === undefined) {
      throw new Error(
        `route ${route.method.toString()} ${route.url} does not declare config.access`,
      );
    }
  });
  app.addHook("onRequest", async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined) return;
    if (access === "public") {
      // A public route still knows a signed-in caller when the credentials are good.
      request.principal = await resolvePrincipal(deps, request).catch(() => undefined);
      return;
    }
    request.principal = await resolvePrincipal(deps, request);
    authorize(request.principal, access);
  });
}
