import type { Target } from "../fan-out/index.js";

/**
 * A project's connections serve only that project's workflows (Process Automation's
 * project-scoped credentials): for a workflow in `projectId` (null: the org's), a target on
 * another project's connection is refused with PROJECT_SCOPE, before anything is sent.
 */
/** Whether a workflow of this project (null: the org's) may use the connection. */
export function inProject(
  projectId: string | null,
): (connection: { projectId: string | null }) => boolean {
  return (connection) => connection.projectId === null || connection.projectId === projectId;
}

export function projectScoped(target: Target, projectId: string | null): Target {
  const connection = target.connection;
  if (connection === undefined) return target;
  // Before any preset: a skip (SAME_ACCOUNT_REGION) on another project's connection is left out too.
  if (inProject(projectId)(connection)) return target;
  return {
    name: target.name,
    connection,
    region: target.region,
    preset: {
      status: "refused",
      error: {
        code: "PROJECT_SCOPE",
        message: `connection ${connection.name} belongs to another project; only that project's workflows may use it`,
      },
    },
  };
}

/** Whether a selector names its connections: only then is a target out of scope reported, not left out. */
export function namesConnections(selection: {
  connection?: unknown;
  connections?: unknown;
}): boolean {
  return selection.connection !== undefined || Array.isArray(selection.connections);
}
