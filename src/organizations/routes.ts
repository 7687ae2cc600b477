import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOfRequest } from "../connections/index.js";
import { contextOf, principalOf } from "../http/route-helpers.js";
import { createOrganization } from "./create-organization.js";
import { deleteOrganization } from "./delete-organization.js";
import { deployStackSet } from "./deploy-stack-set.js";
import { getMemberTemplate } from "./get-member-template.js";
import { onboardOrganization } from "./onboard-organization.js";
import type { OrganizationDeps } from "./organization-deps.js";
import { presentOrganization } from "./organization-record.js";
import { listOrganizations, showOrganization } from "./organization-views.js";
import { requestSync } from "./request-sync.js";
import {
  createOrganizationSchema,
  deploymentSchema,
  deploySchema,
  memberTemplateSchema,
  onboardingResultSchema,
  onboardingSchema,
  organizationNameSchema,
  organizationSchema,
  organizationTreeSchema,
} from "./schemas.js";

const params = z.strictObject({ name: organizationNameSchema });
const templateQuery = z.strictObject({
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "expected a region name such as us-east-1")
    .optional()
    .describe("the region of the console link (default: the onboarding's first)"),
});

/** AWS Organizations: onboarding every account of an organization, and keeping it in step. Org admins only. */
export const organizationRoutes: FastifyPluginAsyncZod<{ deps: OrganizationDeps }> = async (
  app,
  { deps },
) => {
  app.get(
    "/organizations",
    {
      config: { access: "admin" },
      schema: {
        tags: ["organizations"],
        summary: "List the AWS Organizations Switchboard knows",
        response: { 200: z.object({ items: z.array(organizationSchema) }) },
      },
    },
    async (request) => ({ items: await listOrganizations(deps.db, principalOf(request)) }),
  );

  app.post(
    "/organizations",
    {
      config: { access: "admin" },
      schema: {
        tags: ["organizations"],
        summary:
          "Add an AWS Organization from a connection into its management account or a delegated administrator",
        body: createOrganizationSchema,
        response: { 201: organizationSchema },
      },
    },
    async (request, reply) => {
      const created = await createOrganization(
        deps,
        contextOf(request),
        principalOf(request),
        actorOfRequest(request),
        request.body,
      );
      return reply.code(201).send(await presentOrganization(deps.db, created));
    },
  );

  app.get(
    "/organizations/:name",
    {
      config: { access: "admin" },
      schema: {
        tags: ["organizations"],
        summary: "The organization's tree: OUs and every account with its state and health ledger",
        params,
        response: { 200: organizationTreeSchema },
      },
    },
    async (request) => showOrganization(deps.db, principalOf(request), request.params.name),
  );

  app.delete(
    "/organizations/:name",
    {
      config: { access: "admin" },
      schema: {
        tags: ["organizations"],
        summary:
          "Forget the organization and stop its reconcile (member connections and the StackSet stay)",
        params,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await deleteOrganization(deps, contextOf(request), principalOf(request), request.params.name);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/organizations/:name/onboarding",
    {
      config: { access: "admin" },
      schema: {
        tags: ["organizations"],
        summary:
          "Onboard the accounts of chosen OUs: one member connection per account, and a scheduled reconcile",
        params,
        body: onboardingSchema,
        response: { 201: onboardingResultSchema },
      },
    },
    async (request, reply) => {
      const result = await onboardOrganization(
        deps,
        contextOf(request),
        principalOf(request),
        request.params.name,
        request.body,
      );
      return reply.code(201).send({
        organization: await presentOrganization(deps.db, result.organization),
        created: result.created,
        skipped: result.skipped,
        notes: result.notes,
      });
    },
  );

  app.get(
    "/organizations/:name/template",
    {
      config: { access: "admin" },
      schema: {
        tags: ["organizations"],
        summary:
          "The member role's CloudFormation template (for a service-managed StackSet), the console link, and the management account's single stack",
        params,
        querystring: templateQuery,
        response: { 200: memberTemplateSchema },
      },
    },
    async (request) =>
      getMemberTemplate(deps, principalOf(request), request.params.name, request.query.region),
  );

  app.post(
    "/organizations/:name/deploy",
    {
      config: { access: "admin" },
      schema: {
        tags: ["organizations"],
        summary:
          "Deploy the member role by a service-managed StackSet (needs a full management connection); the operation is followed in the background",
        params,
        body: deploySchema,
        response: { 202: deploymentSchema },
      },
    },
    async (request, reply) => {
      const deployment = await deployStackSet(
        deps,
        contextOf(request),
        principalOf(request),
        actorOfRequest(request),
        request.params.name,
        request.body,
      );
      return reply.code(202).send(deployment);
    },
  );

  app.post(
    "/organizations/:name/sync",
    {
      config: { access: "admin" },
      schema: {
        tags: ["organizations"],
        summary: "Reconcile now (accounts joined, left, suspended; member connections tested)",
        params,
        response: {
          202: z.object({
            queued: z
              .boolean()
              .describe("false: a reconcile of this organization is already queued or running"),
            requestedAt: z.string(),
          }),
        },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          await requestSync(deps, contextOf(request), principalOf(request), request.params.name),
        ),
  );
};
