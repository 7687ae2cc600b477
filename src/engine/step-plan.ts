import type { RecordedPlan } from "../runs/index.js";
import type { WorkflowStep } from "../workflows/index.js";

/**
 * What run_steps.plan holds: the step as defined (expressions unevaluated) and, once an action
 * step has started, what its targets run. A run keeps its own copy, so editing or deleting the
 * workflow never changes a run under way.
 */
export interface StepPlan {
  def: WorkflowStep;
  /** A single-action run: the step's input is the run's (sealed) input. */
  inputFromRun?: true;
  /** A single action's plan as it stood when the run started (GET /runs/ID shows it). */
  runPlan?: RecordedPlan;
  action?: ActionPlan;
  /** An approval step, once it waits: whose grant decides it (approval-deciders.ts). */
  deciders?: ApprovalDeciders;
}

export interface ApprovalDeciders {
  /** The decider needs the approval's grant on each; none: only an org admin decides. */
  connections: string[];
  /** named: the approval's own connection; gated: the later steps'; earlier: those the run used before it. */
  from: ("named" | "gated" | "earlier")[];
}

export interface ActionPlan {
  actionId: string;
  iamActions: string[];
  service: string;
  /** Its access level is above Read: a target is recorded started before its request leaves, and never sent twice. */
  write: boolean;
  /** Each forEach item's input is sealed on its target; otherwise the step's input is. */
  perTargetInput: boolean;
  maxItems?: number;
  pageSize?: number;
}

export function parsePlan(text: string | null): StepPlan {
  if (text === null) throw new Error("a run step without its plan");
  return JSON.parse(text) as StepPlan;
}
