import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { DbOrTx } from "../db/index.js";
import { contextOf, principalOf } from "../http/route-helpers.js";
import type { ProjectTable } from "./project.table.js";
import {
  createProject,
  deleteProject,
  getProject,
  listProjects,
  updateProject,
  type ProjectDeps,
} from "./projects.js";
import {
  createProjectSchema,
  projectNameSchema,
  projectSchema,
  updateProjectSchema,
} from "./schemas.js";

export interface ProjectRoutesOptions {
  deps: ProjectDeps;
  /** Re-binds what hangs off a project's name (its secrets' paths) inside the rename's transaction. */
  onRename: (tx: DbOrTx, project: ProjectTable, newName: string) => Promise<void>;
}

const params = z.strictObject({ name: projectNameSchema });

export const projectRoutes: FastifyPluginAsyncZod<ProjectRoutesOptions> = async (
  app,
  { deps, onRename },
) => {
  app.get(
    "/projects",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["projects"],
        summary: "List the projects you can see",
        response: { 200: z.object({ items: z.array(projectSchema) }) },
      },
    },
    async (request) => ({ items: await listProjects(deps.db, principalOf(request)) }),
  );

  app.post(
    "/projects",
    {
      config: { access: "admin" },
      schema: {
        tags: ["projects"],
        summary: "Create a project",
        body: createProjectSchema,
        response: { 201: projectSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createProject(deps, contextOf(request), request.body)),
  );

  app.get(
    "/projects/:name",
    {
      config: { access: "authenticated" },
      schema: {
        tags: ["projects"],
        summary: "Show a project",
        params,
        response: { 200: projectSchema },
      },
    },
    async (request) => getProject(deps.db, principalOf(request), request.params.name),
  );

  app.patch(
    "/projects/:name",
    {
      config: { access: "admin" },
      schema: {
        tags: ["projects"],
        summary: "Rename a project or replace its members",
        params,
        body: updateProjectSchema,
        response: { 200: projectSchema },
      },
    },
    async (request) =>
      updateProject(deps, contextOf(request), request.params.name, request.body, onRename),
  );

  app.delete(
    "/projects/:name",
    {
      config: { access: "admin" },
      schema: {
        tags: ["projects"],
        summary: "Delete an empty project",
        params,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await deleteProject(deps, contextOf(request), request.params.name);
      return reply.code(204).send(null);
    },
  );
};
