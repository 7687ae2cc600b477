import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { decodeCursor, pageOf, toPage } from "../http/pagination.js";
import { contextOf, principalOf } from "../http/route-helpers.js";
import type { KeystoreDeps } from "./keystore-deps.js";
import { listSecretsQuerySchema, putSecretSchema, secretMetadataSchema } from "./schemas.js";
import { deleteSecret, listSecrets, putSecret } from "./secrets.js";

/** Write-only: there is deliberately no route that returns a secret's value. */
export const keystoreRoutes: FastifyPluginAsyncZod<{ deps: KeystoreDeps }> = async (
  app,
  { deps },
) => {
  app.post(
    "/secrets",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["secrets"],
        summary: "Store a secret (write-only); replacing needs replace: true",
        body: putSecretSchema,
        response: { 200: secretMetadataSchema, 201: secretMetadataSchema },
      },
    },
    async (request, reply) => {
      const { secret, created } = await putSecret(
        deps,
        contextOf(request),
        principalOf(request),
        request.body,
      );
      return reply.code(created ? 201 : 200).send(secret);
    },
  );

  app.get(
    "/secrets",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["secrets"],
        summary: "List secret metadata (never values)",
        querystring: listSecretsQuerySchema,
        response: { 200: pageOf(secretMetadataSchema) },
      },
    },
    async (request) => {
      const { prefix, limit, cursor } = request.query;
      const rows = await listSecrets(deps.db, principalOf(request), {
        prefix,
        limit,
        afterPath: decodeCursor(cursor),
      });
      return toPage(rows, limit, (s) => s.path);
    },
  );

  app.delete(
    "/secrets/*",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["secrets"],
        summary: "Delete a secret by path, e.g. DELETE /api/v1/secrets/keys/system/name",
        params: z.strictObject({ "*": z.string().min(1).max(512) }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await deleteSecret(deps, contextOf(request), principalOf(request), request.params["*"]);
      return reply.code(204).send(null);
    },
  );
};
