export { createEngine, DEFAULT_WORKER_OPTIONS, type Engine, type WorkerOptions } from "./engine.js";
export { InFlightRuns, type EngineDeps } from "./engine-deps.js";
export { createQueue, type QueueTuning } from "./create-queue.js";
export type { Queue } from "./queue.js";
export { RunEvents } from "./run-events.js";
export { engineRoutes } from "./routes.js";
export { scheduleSync } from "./triggers.js";
export { MAX_PER_BUCKET } from "./queues.js";
export { MicroBatch } from "./micro-batch.js";
export {
  registerScheduleHandler,
  registerTargetHandler,
  type HandlerTarget,
  type ScheduleData,
  type ScheduleHandler,
  type TargetHandler,
} from "./target-handlers.js";
export { runPrincipal } from "./run-principal.js";
export { startRun } from "./start-run.js";
