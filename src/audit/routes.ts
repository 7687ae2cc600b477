import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Db } from "../db/index.js";
import { decodeCursor, pageOf, toPage } from "../http/pagination.js";
import { principalOf } from "../http/route-helpers.js";
import { listAuditEvents } from "./list-audit-events.js";
import { auditEventSchema, auditQuerySchema } from "./schemas.js";

export const auditRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    "/audit",
    {
      config: { access: "admin" },
      schema: {
        tags: ["audit"],
        summary: "Read the audit log, newest first",
        querystring: auditQuerySchema,
        response: { 200: pageOf(auditEventSchema) },
      },
    },
    async (request) => {
      const { cursor, ...filters } = request.query;
      const beforeId = decodeCursor(cursor);
      const rows = await listAuditEvents(db, principalOf(request).orgId, {
        ...filters,
        ...(beforeId === undefined ? {} : { beforeId }),
      });
      return toPage(rows, filters.limit, (e) => e.id);
    },
  );
};
