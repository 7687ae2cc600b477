export type { WorkflowTables, WorkflowTable, WorkflowVersionTable } from "./workflow.table.js";
export * from "./schemas.js";
export {
  cronProblem,
  hasExpression,
  stepKind,
  type WorkflowDefinition,
  type WorkflowStep,
  type WorkflowTrigger,
} from "./definition-schema.js";
export {
  asItems,
  compileTemplate,
  referencedSteps,
  type ExpressionContext,
  type StepContext,
} from "./expressions.js";
export { parseDefinition } from "./parse-definition.js";
export { cachedVersion, type StartedVersion } from "./cached-version.js";
export { missingGrantsOf, preflightWorkflow } from "./preflight.js";
export { resolveInputs } from "./resolve-inputs.js";
export { stepSelection } from "./step-selection.js";
export { inProject, namesConnections, projectScoped } from "./project-scope.js";
export {
  findVersion,
  findWorkflow,
  canRead,
  requireEditor,
  requireReader,
  requireStarter,
  webhookSecretPath,
  type ScheduleSync,
  type WorkflowDeps,
} from "./workflows.js";
export { workflowRoutes } from "./routes.js";
