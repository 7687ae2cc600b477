export type { ProjectTable } from "./project.table.js";
export { findProjectRow, isProjectMember, type ProjectDeps } from "./projects.js";
export { projectRoutes } from "./routes.js";
export * from "./schemas.js";
