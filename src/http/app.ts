import cookie from "@fastify/cookie";
import swagger from "@fastify/swagger";
import Fastify, { LogController, type FastifyInstance } from "fastify";
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from "fastify-type-provider-zod";
import type { FastifyBaseLogger } from "fastify";
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { accessRoutes, type AccessDeps } from "../access/index.js";
import { auditRoutes, recordAuditEvent } from "../audit/index.js";
import { keystoreRoutes, rebindProjectSecrets, type KeystoreDeps } from "../keystore/index.js";
import { oidcApiRoutes, oidcDocumentRoutes, type OidcDeps } from "../oidc/index.js";
import { projectRoutes } from "../projects/index.js";
import { outboundRoutes, type Outbound } from "../outbound/index.js";
import { connectionRoutes, type CredentialDeps } from "../connections/index.js";
import { actionRoutes } from "../actions/index.js";
import { engineRoutes, scheduleSync, type Engine } from "../engine/index.js";
import { workflowRoutes } from "../workflows/index.js";
import { inventoryRoutes } from "../inventory/index.js";
import { organizationRoutes } from "../organizations/index.js";
import { actorOf } from "../request-types.js";
import { registerAuth } from "./auth-hook.js";
import { registerInputGuard } from "./input-guard.js";
import { errorBody, handleError, MAX_PATH_PARAMETER_LENGTH } from "./error-handler.js";
import { registerMetrics } from "./metrics.js";
import { defaultWebDir, registerWeb, sendIndex, wantsPage } from "./web.js";

export const API_PREFIX = "/api/v1";
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface AppDeps extends AccessDeps {
  logger: FastifyBaseLogger;
  /** Outside development, cookies are Secure. */
  dev: boolean;
  version: string;
  keystore: KeystoreDeps;
  oidc: OidcDeps;
  /** The one outbound HTTP layer (allow-list, shared agents); routes use it to apply list changes. */
  outbound: Outbound;
  /** What connections need to obtain AWS credentials, with the one per-connection cache. */
  credentials: CredentialDeps;
  /** The built web UI to serve at `/` (default: dist/web of this package); null for none. */
  webDir?: string | null;
  /**
   * Reverse proxies (addresses, CIDRs) whose X-Forwarded-For gives the client's address
   * (SWITCHBOARD_TRUST_PROXY); none by default, when the header is ignored.
   */
  trustProxy?: string[];
  /** The workflow engine of this process: every run (single actions included) is a run on it. */
  engine: Engine;
}

/** Builds the app without listening, so tests can `inject()` and main can `listen()`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    genReqId: () => `req_${randomBytes(9).toString("base64url")}`,
    // Long parameters reach the route's schema, which names the field; beyond this, a 400.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    // The router's own refusals (a path that does not decode) get the one error body too.
    frameworkErrors: (error, request, reply) => {
      handleError(error, request, reply);
    },
    // request.ip is the client's address (the sign-in limits count it, audit events show it):
    // taken from X-Forwarded-For only when the connection comes from a trusted proxy.
    trustProxy:
      deps.trustProxy === undefined || deps.trustProxy.length === 0 ? false : deps.trustProxy,
    // One access-log line per request (below), not fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API speaks JSON only; fastify's default text/plain parser would let a string through.
  app.removeContentTypeParser("text/plain");
  app.setErrorHandler(handleError);
  const web = deps.webDir === null ? false : await registerWeb(app, deps.webDir ?? defaultWebDir());
  app.setNotFoundHandler((request, reply) =>
    web && wantsPage(request)
      ? sendIndex(reply)
      : reply.code(404).send(
          errorBody(request, {
            code: "ROUTE_NOT_FOUND",
            message: `no route ${request.method} ${request.url}`,
          }),
        ),
  );
  app.addHook("onSend", async (request, reply) => {
    void reply.header("x-request-id", request.id);
  });
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.routeOptions.url ?? request.url.split("?")[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
      },
      "request",
    );
  });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Switchboard API",
        version: deps.version,
        description:
          "Self-hosted automation hub for AWS. Errors use one body: {error:{code,message,field?,requestId}}.",
      },
      servers: [{ url: deps.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", description: "An API token, sb_…" },
          session: { type: "apiKey", in: "cookie", name: "sb_session" },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });

  const registry = registerMetrics(app);
  registerAuth(app, deps, API_PREFIX);
  registerInputGuard(app);

  // A refused or failed change is audited too; successful ones are recorded by their use case,
  // in the transaction of the change.
  app.addHook("onResponse", async (request, reply) => {
    if (!MUTATING.has(request.method) || reply.statusCode < 400 || request.principal === undefined)
      return;
    const principal = request.principal;
    await recordAuditEvent(
      deps.db,
      {
        orgId: principal.orgId,
        actor: actorOf(principal),
        sourceIp: request.ip,
        requestId: request.id,
      },
      {
        action: `${request.method} ${request.routeOptions.url ?? request.url}`,
        outcome: reply.statusCode === 401 || reply.statusCode === 403 ? "denied" : "failure",
        detail: { status: reply.statusCode },
      },
      deps.clock.now(),
    ).catch((err: unknown) => request.log.error({ err }, "could not record the audit event"));
  });

  await app.register(
    async (api) => {
      await api.register(accessRoutes, { deps, secureCookies: !deps.dev });
      await api.register(outboundRoutes, { deps });
      await api.register(auditRoutes, { db: deps.db });
      await api.register(projectRoutes, { deps, onRename: rebindProjectSecrets(deps.keystore) });
      await api.register(keystoreRoutes, { deps: deps.keystore });
      await api.register(oidcApiRoutes, { deps: deps.oidc });
      await api.register(connectionRoutes, {
        deps: {
          db: deps.db,
          clock: deps.clock,
          oidcIssuer: deps.oidc.issuer,
          checkEndpoint: (orgId, url) => deps.outbound.checkUrl(orgId, url),
          endpointNamed: (orgId, url) => deps.outbound.namesExactly(orgId, url),
          forgetCredentials: (id) => deps.credentials.cache.forget(id),
        },
        credentials: deps.credentials,
      });
      await api.register(actionRoutes);
      await api.register(engineRoutes, { engine: deps.engine });
      await api.register(inventoryRoutes, { engine: deps.engine });
      await api.register(organizationRoutes, {
        deps: {
          db: deps.db,
          clock: deps.clock,
          queue: deps.engine.deps.queue,
          credentials: deps.credentials,
          logger: deps.logger,
        },
      });
      await api.register(workflowRoutes, {
        deps: {
          db: deps.db,
          clock: deps.clock,
          keystore: deps.keystore,
          schedules: scheduleSync(deps.engine.deps.queue),
        },
        publicUrl: deps.publicUrl,
      });
    },
    { prefix: API_PREFIX },
  );

  await app.register(oidcDocumentRoutes, { deps: deps.oidc });
  app.get("/healthz", { schema: { hide: true } }, () => ({ status: "ok" }));
  app.get("/readyz", { schema: { hide: true } }, async (request, reply) => {
    try {
      await sql`select 1`.execute(deps.db);
      return { status: "ok" };
    } catch (err) {
      request.log.error({ err }, "database check failed");
      return reply
        .code(503)
        .send(errorBody(request, { code: "UNAVAILABLE", message: "the database does not answer" }));
    }
  });
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  app.get("/openapi.json", { schema: { hide: true } }, () => app.swagger());
  return app;
}
