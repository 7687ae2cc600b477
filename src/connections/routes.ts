import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { Forbidden, Invalid } from "../errors.js";
import { contextOf, principalOf } from "../http/route-helpers.js";
import { decideAccessRequest, listAccessRequests, requestEditAccess } from "./access-requests.js";
import type { ConnectionDeps } from "./connection-deps.js";
import { toRecord, type ConnectionRecord } from "./connection-record.js";
import {
  createConnection,
  deleteConnection,
  findConnectionById,
  listVisibleConnections,
  presentConnection,
  rotateExternalIdOf,
  updateConnection,
  visibleConnection,
} from "./connections.js";
import type { Actor, CredentialDeps } from "./credential-deps.js";
import { ROTATION_WARNING, externalIdValue } from "./external-id.js";
import { listGrants, requireRole, setGrants } from "./grants.js";
import {
  accessRequestSchema,
  connectionNameSchema,
  connectionSchema,
  connectionTestSchema,
  createConnectionSchema,
  draftTestSchema,
  externalIdRotationSchema,
  grantSchema,
  updateConnectionSchema,
} from "./schemas.js";
import {
  principalArnOf,
  setupTemplateFor,
  trustPolicyFor,
  type SetupContext,
} from "./setup-documents.js";
import { testConnection } from "./test-connection.js";
import { draftConnection } from "./draft-connection.js";
import { testDraftConnection } from "./test-draft-connection.js";

export interface ConnectionRoutesOptions {
  deps: ConnectionDeps;
  credentials: CredentialDeps;
}

const params = z.strictObject({ name: connectionNameSchema });
const grantsBody = z.array(grantSchema).max(500);
const grantsResponse = z.object({ items: z.array(grantSchema) });
const trustPolicySchema = z.object({
  policy: z.record(z.string(), z.unknown()),
  notes: z.array(z.string()),
});
const draftQuery = z.strictObject({
  replacing: connectionNameSchema
    .optional()
    .describe(
      "the saved connection this draft would change (an edit): only settings that differ are checked again",
    ),
});

export function actorOfRequest(request: FastifyRequest): Actor {
  const principal = principalOf(request);
  return {
    orgId: principal.orgId,
    orgName: principal.orgName,
    userName: principal.userName,
    requestId: request.id,
    sourceIp: request.ip,
  };
}

async function setupContext(
  deps: ConnectionDeps,
  orgName: string,
  connection: ConnectionRecord,
): Promise<SetupContext> {
  const s = connection.settings;
  let assumingArn: string | null = null;
  if (s.method === "assume_role") {
    // Whose identity calls AssumeRole: the source connection, or the org's tested ambient one.
    const sourceRow =
      s.sourceConnectionId === undefined
        ? await deps.db
            .selectFrom("connections")
            .selectAll()
            .where("org_id", "=", connection.orgId)
            .where("method", "=", "ambient")
            .where("account_id", "is not", null)
            .executeTakeFirst()
        : undefined;
    const source =
      s.sourceConnectionId === undefined
        ? sourceRow === undefined
          ? undefined
          : toRecord(sourceRow)
        : await findConnectionById(deps.db, s.sourceConnectionId);
    const arn = source?.health?.arn;
    if (arn !== undefined && arn !== null) assumingArn = principalArnOf(arn);
  }
  return {
    orgName,
    oidcIssuer: deps.oidcIssuer,
    externalId:
      connection.externalIdId === null
        ? null
        : await externalIdValue(deps.db, connection.externalIdId),
    assumingArn,
  };
}

export const connectionRoutes: FastifyPluginAsyncZod<ConnectionRoutesOptions> = async (
  app,
  { deps, credentials },
) => {
  app.get(
    "/connections",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary: "List the connections you can see",
        response: { 200: z.object({ items: z.array(connectionSchema) }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const visible = await listVisibleConnections(deps.db, principal);
      const items = [];
      for (const { connection, roles } of visible)
        items.push(await presentConnection(deps, principal, connection, roles));
      return { items };
    },
  );

  app.post(
    "/connections",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary: "Connect an AWS account",
        body: createConnectionSchema,
        response: { 201: connectionSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const created = await createConnection(deps, contextOf(request), principal, request.body);
      const { roles } = await visibleConnection(deps.db, principal, created.name);
      return reply.code(201).send(await presentConnection(deps, principal, created, roles));
    },
  );

  app.post(
    "/connections/test",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary:
          "Test a connection before saving it: the body of a create (or of an edit, with replacing); nothing is stored",
        body: createConnectionSchema,
        querystring: draftQuery,
        response: { 200: draftTestSchema },
      },
    },
    async (request) => {
      const draft = await draftConnection(
        deps,
        principalOf(request),
        request.body,
        request.query.replacing,
      );
      return testDraftConnection(credentials, contextOf(request), draft, actorOfRequest(request));
    },
  );

  app.post(
    "/connections/setup-documents",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary:
          "The trust policy and CloudFormation template a connection not yet saved needs (assume_role, web_identity)",
        body: createConnectionSchema,
        querystring: draftQuery,
        response: {
          200: z.object({
            externalId: z
              .string()
              .optional()
              .describe(
                "assume_role: the ExternalId the connection will have; send it as externalId when you save (or test) the draft",
              ),
            trustPolicy: trustPolicySchema,
            cloudFormation: z
              .record(z.string(), z.unknown())
              .describe("a CloudFormation template (JSON) that creates the role"),
          }),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const draft = await draftConnection(deps, principal, request.body, request.query.replacing);
      const context = await setupContext(deps, principal.orgName, draft);
      return {
        ...(context.externalId === null ? {} : { externalId: context.externalId }),
        trustPolicy: trustPolicyFor(draft, context),
        cloudFormation: setupTemplateFor(draft, context),
      };
    },
  );

  app.get(
    "/connections/:name",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary: "Show a connection",
        params,
        response: { 200: connectionSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { connection, roles } = await visibleConnection(
        deps.db,
        principal,
        request.params.name,
      );
      return presentConnection(deps, principal, connection, roles);
    },
  );

  app.patch(
    "/connections/:name",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary: "Change a connection (editor)",
        params,
        body: updateConnectionSchema,
        response: { 200: connectionSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const updated = await updateConnection(
        deps,
        contextOf(request),
        principal,
        request.params.name,
        request.body,
      );
      const { roles } = await visibleConnection(deps.db, principal, updated.name);
      return presentConnection(deps, principal, updated, roles);
    },
  );

  app.delete(
    "/connections/:name",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary: "Remove a connection (editor)",
        params,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await deleteConnection(deps, contextOf(request), principalOf(request), request.params.name);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/connections/:name/test",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary:
          "Get credentials, call sts:GetCallerIdentity and list regions (editor or executor)",
        params,
        response: { 200: connectionTestSchema },
      },
    },
    async (request) => {
      const { connection, roles } = await visibleConnection(
        deps.db,
        principalOf(request),
        request.params.name,
      );
      if (!roles.includes("executor") && !roles.includes("editor")) {
        throw new Forbidden(
          `you need the executor or editor role on connection ${connection.name} to test it`,
        );
      }
      return testConnection(credentials, contextOf(request), connection, actorOfRequest(request));
    },
  );

  app.get(
    "/connections/:name/grants",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary: "Who may do what with it",
        params,
        response: { 200: grantsResponse },
      },
    },
    async (request) => {
      const { connection } = await visibleConnection(
        deps.db,
        principalOf(request),
        request.params.name,
      );
      return { items: await listGrants(deps.db, connection.id) };
    },
  );

  app.put(
    "/connections/:name/grants",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary: "Replace its grants (editor)",
        params,
        body: grantsBody,
        response: { 200: grantsResponse },
      },
    },
    async (request) => {
      const { connection, roles } = await visibleConnection(
        deps.db,
        principalOf(request),
        request.params.name,
      );
      requireRole(roles, "editor", connection.name);
      return { items: await setGrants(deps, contextOf(request), connection, request.body) };
    },
  );

  app.post(
    "/connections/:name/access-requests",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary: "Ask for edit access (viewers)",
        params,
        body: z.strictObject({ reason: z.string().min(3, "say why, in a few words").max(1000) }),
        response: { 201: accessRequestSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { connection, roles } = await visibleConnection(
        deps.db,
        principal,
        request.params.name,
      );
      if (roles.includes("editor")) throw new Invalid(`you can already edit ${connection.name}`);
      return reply
        .code(201)
        .send(
          await requestEditAccess(
            deps,
            contextOf(request),
            principal,
            connection,
            request.body.reason,
          ),
        );
    },
  );

  app.get(
    "/access-requests",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary: "Edit-access requests: all for admins, your own otherwise",
        querystring: z.strictObject({
          status: z.enum(["pending", "granted", "declined"]).optional(),
        }),
        response: { 200: z.object({ items: z.array(accessRequestSchema) }) },
      },
    },
    async (request) => ({
      items: await listAccessRequests(deps.db, principalOf(request), {
        status: request.query.status,
      }),
    }),
  );

  for (const [verb, decision] of [
    ["grant", "granted"],
    ["decline", "declined"],
  ] as const) {
    app.post(
      `/access-requests/:id/${verb}`,
      {
        config: { access: "admin" },
        schema: {
          tags: ["connections"],
          summary: `${verb === "grant" ? "Grant" : "Decline"} an edit-access request`,
          params: z.strictObject({ id: z.uuid() }),
          response: { 200: accessRequestSchema },
        },
      },
      async (request) =>
        decideAccessRequest(
          deps,
          contextOf(request),
          principalOf(request),
          request.params.id,
          decision,
        ),
    );
  }

  app.get(
    "/connections/:name/trust-policy",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary: "The trust policy its role needs",
        params,
        response: { 200: trustPolicySchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { connection } = await visibleConnection(deps.db, principal, request.params.name);
      return trustPolicyFor(connection, await setupContext(deps, principal.orgName, connection));
    },
  );

  app.get(
    "/connections/:name/setup",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary: "A CloudFormation template (JSON) that creates its role",
        params,
        response: { 200: z.record(z.string(), z.unknown()) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { connection } = await visibleConnection(deps.db, principal, request.params.name);
      return setupTemplateFor(connection, await setupContext(deps, principal.orgName, connection));
    },
  );

  app.post(
    "/connections/:name/external-id/rotate",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["connections"],
        summary:
          "Give it a new ExternalId (editor); its role's trust policy must then require the new one",
        params,
        response: { 200: externalIdRotationSchema },
      },
    },
    async (request) => ({
      externalId: await rotateExternalIdOf(
        deps,
        contextOf(request),
        principalOf(request),
        request.params.name,
      ),
      warning: ROTATION_WARNING,
    }),
  );
};
