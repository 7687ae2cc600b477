import { prepareAction, type PreparedAction } from "../actions/index.js";
import type { Target } from "../fan-out/index.js";
import type { EngineDeps } from "./engine-deps.js";

/** The one target a handler's prepared action runs on, and the run it belongs to. */
export interface HandlerTarget {
  deps: EngineDeps;
  runId: string;
  orgId: string;
  target: Target;
}

/**
 * A step whose targets run a feature's code instead of a catalog action (the inventory's sync).
 * It prepares what `runTarget` needs, as `prepareAction` does for a catalog action, so the
 * targets get the same credentials, access check, limits, retries, cancel and crash handling.
 * Its ids are not catalog ids (no `aws.` prefix), so a workflow definition cannot name one.
 */
export interface TargetHandler {
  id: string;
  /**
   * Checks the input. Without `target` (the step starting) the result only chooses and checks
   * targets (IAM actions, service, global); with it, its action runs on that target, and its
   * `storeOutput` is what the target's row keeps.
   */
  prepare(input: unknown, target?: HandlerTarget): Promise<PreparedAction>;
}

const handlers = new Map<string, TargetHandler>();

/** Called once per process before its engine works (assemble-engine.ts). */
export function registerTargetHandler(handler: TargetHandler): void {
  handlers.set(handler.id, handler);
}

/** A step's action as it starts: a registered handler's, or the catalog's. */
export function prepareStepAction(actionId: string, input: unknown): Promise<PreparedAction> {
  const handler = handlers.get(actionId);
  return handler === undefined ? prepareAction(actionId, input) : handler.prepare(input);
}

/** A target's action: a registered handler's bound to the target, or the catalog's. */
export function prepareTargetAction(
  actionId: string,
  input: unknown,
  target: HandlerTarget,
): Promise<PreparedAction> {
  const handler = handlers.get(actionId);
  return handler === undefined ? prepareAction(actionId, input) : handler.prepare(input, target);
}

/** What a fired schedule slot carries: its key, its slot, and the data it was scheduled with. */
export type ScheduleData = { key: string; slot?: string } & Record<string, unknown>;

/** A feature's schedules on the engine's scheduler (`queue.schedule`), by key prefix. */
export type ScheduleHandler = (deps: EngineDeps, data: ScheduleData) => Promise<void>;

const scheduleHandlers = new Map<string, ScheduleHandler>();

/** Slots of schedules whose key starts with `prefix` go to `handler` (assemble-engine.ts). */
export function registerScheduleHandler(prefix: string, handler: ScheduleHandler): void {
  scheduleHandlers.set(prefix, handler);
}

export function scheduleHandlerOf(key: string): ScheduleHandler | undefined {
  for (const [prefix, handler] of scheduleHandlers) if (key.startsWith(prefix)) return handler;
  return undefined;
}
