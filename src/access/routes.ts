import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { contextOf, principalOf } from "../http/route-helpers.js";
import { decodeCursor, pageOf, pageQuerySchema, toPage } from "../http/pagination.js";
import type { AccessDeps } from "./access-deps.js";
import {
  apiTokenSchema,
  createdTokenSchema,
  createdUserSchema,
  createTeamSchema,
  createTokenSchema,
  createUserSchema,
  loginSchema,
  nameSchema,
  sessionSchema,
  setupPasswordSchema,
  teamSchema,
  updateUserSchema,
  userSchema,
  whoamiSchema,
} from "./schemas.js";
import { login, logout } from "./sessions.js";
import { SignInRateLimited } from "./sign-in-limits.js";
import { useSetupLink } from "./setup-links.js";
import {
  createTeam,
  deleteTeam,
  getTeam,
  listTeams,
  setTeamMembership,
  teamsOfUser,
} from "./teams.js";
import { createApiToken, listApiTokens, revokeApiToken } from "./tokens.js";
import { createUser, deleteUser, findUserRow, listUsers, toUser, updateUser } from "./users.js";

export const SESSION_COOKIE = "sb_session";
/**
 * The session's CSRF token, readable by the web UI's script (same origin only) so it can send
 * it back as X-CSRF-Token after a reload; a cross-site page can neither read it nor set the header.
 */
export const CSRF_COOKIE = "sb_csrf";

export interface AccessRoutesOptions {
  deps: AccessDeps;
  secureCookies: boolean;
}

const userParams = z.strictObject({ name: nameSchema });
const teamParams = z.strictObject({ name: nameSchema });
const memberParams = z.strictObject({ name: nameSchema, user: nameSchema });
const noContent = { 204: z.null().describe("done") };

export const accessRoutes: FastifyPluginAsyncZod<AccessRoutesOptions> = async (
  app,
  { deps, secureCookies },
) => {
  app.post(
    "/auth/login",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary: "Sign in with a password",
        body: loginSchema,
        response: { 200: sessionSchema },
      },
    },
    async (request, reply) => {
      const result = await login(deps, {
        ...request.body,
        sourceIp: request.ip,
        requestId: request.id,
      }).catch((error: unknown) => {
        if (error instanceof SignInRateLimited)
          void reply.header("retry-after", String(error.retryAfterSeconds));
        throw error;
      });
      void reply.setCookie(SESSION_COOKIE, result.sessionToken, {
        httpOnly: true,
        secure: secureCookies,
        sameSite: "lax",
        path: "/",
        maxAge: result.maxAgeSeconds,
      });
      void reply.setCookie(CSRF_COOKIE, result.csrfToken, {
        httpOnly: false,
        secure: secureCookies,
        sameSite: "strict",
        path: "/",
        maxAge: result.maxAgeSeconds,
      });
      return {
        user: result.user,
        org: result.org,
        csrfToken: result.csrfToken,
        expiresAt: result.expiresAt,
      };
    },
  );

  app.post(
    "/auth/logout",
    {
      config: { access: "authenticated" },
      schema: { tags: ["auth"], summary: "Sign out", response: noContent },
    },
    async (request, reply) => {
      await logout(deps, contextOf(request), principalOf(request));
      void reply.clearCookie(SESSION_COOKIE, { path: "/" });
      void reply.clearCookie(CSRF_COOKIE, { path: "/" });
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/auth/setup",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary: "Set a password from a one-time setup link",
        body: setupPasswordSchema,
        response: noContent,
      },
    },
    async (request, reply) => {
      await useSetupLink(deps, { ...request.body, sourceIp: request.ip, requestId: request.id });
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/whoami",
    {
      config: { access: "authenticated" },
      schema: { tags: ["auth"], summary: "Who the caller is", response: { 200: whoamiSchema } },
    },
    async (request) => {
      const principal = principalOf(request);
      const user = await findUserRow(deps.db, principal.orgId, principal.userName);
      return {
        user: toUser(user),
        org: principal.orgName,
        via: principal.via,
        teams: await teamsOfUser(deps.db, user.id),
      };
    },
  );

  app.get(
    "/users",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["users"],
        summary: "List the org's users",
        querystring: pageQuerySchema,
        response: { 200: pageOf(userSchema) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listUsers(deps.db, principalOf(request).orgId, {
        limit,
        afterName: decodeCursor(cursor),
      });
      return toPage(rows, limit, (u) => u.name);
    },
  );

  app.post(
    "/users",
    {
      config: { access: "admin" },
      schema: {
        tags: ["users"],
        summary: "Create a user",
        body: createUserSchema,
        response: { 201: createdUserSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createUser(deps, contextOf(request), request.body)),
  );

  app.get(
    "/users/:name",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["users"],
        summary: "Show a user",
        params: userParams,
        response: { 200: userSchema },
      },
    },
    async (request) =>
      toUser(await findUserRow(deps.db, principalOf(request).orgId, request.params.name)),
  );

  app.patch(
    "/users/:name",
    {
      config: { access: "admin" },
      schema: {
        tags: ["users"],
        summary: "Change a user's name, role or password",
        params: userParams,
        body: updateUserSchema,
        response: { 200: userSchema },
      },
    },
    async (request) => updateUser(deps, contextOf(request), request.params.name, request.body),
  );

  app.delete(
    "/users/:name",
    {
      config: { access: "admin" },
      schema: {
        tags: ["users"],
        summary: "Delete a user",
        params: userParams,
        response: noContent,
      },
    },
    async (request, reply) => {
      await deleteUser(deps, contextOf(request), request.params.name);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/teams",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["teams"],
        summary: "List teams",
        querystring: pageQuerySchema,
        response: { 200: pageOf(teamSchema) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listTeams(deps.db, principalOf(request).orgId, {
        limit,
        afterName: decodeCursor(cursor),
      });
      return toPage(rows, limit, (t) => t.name);
    },
  );

  app.post(
    "/teams",
    {
      config: { access: "admin" },
      schema: {
        tags: ["teams"],
        summary: "Create a team",
        body: createTeamSchema,
        response: { 201: teamSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createTeam(deps, contextOf(request), request.body)),
  );

  app.get(
    "/teams/:name",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["teams"],
        summary: "Show a team",
        params: teamParams,
        response: { 200: teamSchema },
      },
    },
    async (request) => getTeam(deps.db, principalOf(request).orgId, request.params.name),
  );

  app.delete(
    "/teams/:name",
    {
      config: { access: "admin" },
      schema: {
        tags: ["teams"],
        summary: "Delete a team",
        params: teamParams,
        response: noContent,
      },
    },
    async (request, reply) => {
      await deleteTeam(deps, contextOf(request), request.params.name);
      return reply.code(204).send(null);
    },
  );

  app.put(
    "/teams/:name/members/:user",
    {
      config: { access: "admin" },
      schema: {
        tags: ["teams"],
        summary: "Add a member",
        params: memberParams,
        response: { 200: teamSchema },
      },
    },
    async (request) =>
      setTeamMembership(deps, contextOf(request), {
        team: request.params.name,
        user: request.params.user,
        member: true,
      }),
  );

  app.delete(
    "/teams/:name/members/:user",
    {
      config: { access: "admin" },
      schema: {
        tags: ["teams"],
        summary: "Remove a member",
        params: memberParams,
        response: { 200: teamSchema },
      },
    },
    async (request) =>
      setTeamMembership(deps, contextOf(request), {
        team: request.params.name,
        user: request.params.user,
        member: false,
      }),
  );

  app.get(
    "/tokens",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["tokens"],
        summary: "List your API tokens (admins: all=true for the whole org)",
        querystring: pageQuerySchema.extend({ all: z.enum(["true", "false"]).default("false") }),
        response: { 200: pageOf(apiTokenSchema) },
      },
    },
    async (request) => {
      const { limit, cursor, all } = request.query;
      const rows = await listApiTokens(deps.db, principalOf(request), {
        limit,
        beforeId: decodeCursor(cursor),
        all: all === "true",
      });
      return toPage(rows, limit, (t) => t.id);
    },
  );

  app.post(
    "/tokens",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["tokens"],
        summary: "Create an API token (the secret is shown once)",
        body: createTokenSchema,
        response: { 201: createdTokenSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await createApiToken(deps, contextOf(request), principalOf(request), request.body)),
  );

  app.delete(
    "/tokens/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["tokens"],
        summary: "Revoke an API token",
        params: z.strictObject({ id: z.uuid() }),
        response: { 200: apiTokenSchema },
      },
    },
    async (request) =>
      revokeApiToken(deps, contextOf(request), principalOf(request), request.params.id),
  );
};
