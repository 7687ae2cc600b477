import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { DEFAULT_ORG } from "../access/index.js";
import { Forbidden } from "../errors.js";
import { contextOf, principalOf } from "../http/route-helpers.js";
import { discoveryDocument, DISCOVERY_PATH, jwksDocument, JWKS_PATH } from "./documents.js";
import { audienceFor, subjectFor, type OidcDeps } from "./mint-token.js";
import { oidcIssuerSchema, oidcKeySchema } from "./schemas.js";
import { publishedKeys, rotateSigningKey } from "./signing-keys.js";

// AWS and other relying parties cache these; a short max-age lets a rotation show quickly.
const CACHE_CONTROL = "public, max-age=300";

/** The two public documents, served at the root of the public URL. */
export const oidcDocumentRoutes: FastifyPluginAsyncZod<{ deps: OidcDeps }> = async (
  app,
  { deps },
) => {
  app.get(
    DISCOVERY_PATH,
    { config: { access: "public" }, schema: { hide: true } },
    async (_request, reply) =>
      reply.header("cache-control", CACHE_CONTROL).send(discoveryDocument(deps.issuer)),
  );
  app.get(
    JWKS_PATH,
    { config: { access: "public" }, schema: { hide: true } },
    async (_request, reply) =>
      reply
        .header("cache-control", CACHE_CONTROL)
        .send(jwksDocument(await publishedKeys(deps.keystore.db, deps.keystore.clock.now()))),
  );
};

export const oidcApiRoutes: FastifyPluginAsyncZod<{ deps: OidcDeps }> = async (app, { deps }) => {
  app.get(
    "/oidc",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["oidc"],
        summary: "The issuer details to put in IAM",
        response: { 200: oidcIssuerSchema },
      },
    },
    async (request) => {
      const rows = await deps.keystore.db
        .selectFrom("oidc_keys")
        .selectAll()
        .orderBy("created_at", "desc")
        .execute();
      return {
        issuer: deps.issuer,
        discoveryUrl: `${deps.issuer}${DISCOVERY_PATH}`,
        jwksUrl: `${deps.issuer}${JWKS_PATH}`,
        audience: audienceFor(principalOf(request).orgName),
        subjectFormat: subjectFor("<connection name>"),
        keys: rows.map((r) => ({
          kid: r.kid,
          createdAt: r.created_at,
          retiredAt: r.retired_at,
          publishUntil: r.publish_until,
        })),
      };
    },
  );

  app.post(
    "/oidc/rotate",
    {
      config: { access: "admin" },
      schema: {
        tags: ["oidc"],
        summary: "Make a new signing key current",
        response: { 200: oidcKeySchema },
      },
    },
    async (request) => {
      // The signing keys serve every org of the install, so only the install's own org rotates them.
      if (principalOf(request).orgName !== DEFAULT_ORG) {
        throw new Forbidden(
          `the issuer's keys belong to the install; an admin of org ${DEFAULT_ORG} rotates them`,
        );
      }
      const { current } = await rotateSigningKey(deps.keystore, contextOf(request));
      return {
        kid: current.kid,
        createdAt: current.created_at,
        retiredAt: null,
        publishUntil: null,
      };
    },
  );
};
