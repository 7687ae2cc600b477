import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { contextOf, principalOf } from "../http/route-helpers.js";
import type { Db } from "../db/index.js";
import type { Clock } from "../clock.js";
import type { Outbound } from "./create-outbound.js";
import { readOutboundSettings } from "./read-outbound-settings.js";
import { outboundSettingsSchema, putOutboundSettingsSchema } from "./schemas.js";
import { setOutboundAllowList } from "./set-outbound-allow-list.js";

export interface OutboundRoutesOptions {
  deps: { db: Db; clock: Clock; outbound: Outbound };
}

export const outboundRoutes: FastifyPluginAsyncZod<OutboundRoutesOptions> = async (
  app,
  { deps },
) => {
  app.get(
    "/settings/outbound",
    {
      config: { access: "admin" },
      schema: {
        tags: ["settings"],
        summary: "Show the org's outbound allow-list",
        response: { 200: outboundSettingsSchema },
      },
    },
    async (request) => readOutboundSettings(deps.db, principalOf(request).orgId),
  );

  app.put(
    "/settings/outbound",
    {
      config: { access: "admin" },
      schema: {
        tags: ["settings"],
        summary: "Replace the org's outbound allow-list",
        description:
          "Every request Switchboard sends for the org (AWS SDK, webhooks, JWKS) must match one pattern. Loopback and private addresses also need an address pattern (or an exact localhost / single-label name); link-local and metadata addresses are always refused.",
        body: putOutboundSettingsSchema,
        response: { 200: outboundSettingsSchema },
      },
    },
    async (request) =>
      setOutboundAllowList(
        {
          db: deps.db,
          clock: deps.clock,
          allowListChanged: (orgId) => deps.outbound.allowListChanged(orgId),
        },
        contextOf(request),
        request.body,
      ),
  );
};
