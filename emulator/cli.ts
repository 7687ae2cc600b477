import { parseArgs } from "node:util";
import type { KnobsInput } from "./knobs/knobs.js";
import { startEmulator } from "./start-emulator.js";

const { values } = parseArgs({
  options: {
    world: { type: "string", default: "emulator/worlds/demo.yaml" },
    port: { type: "string", default: "4566" },
    host: { type: "string", default: "127.0.0.1" },
    "latency-ms": { type: "string" },
    "fault-rate": { type: "string" },
    "throttle-rate": { type: "string" },
    "throttle-burst": { type: "string" },
  },
});

const emulator = await startEmulator({
  world: values.world,
  port: Number(values.port),
  host: values.host,
  knobs: {
    ...(values["latency-ms"] !== undefined ? { latencyMs: Number(values["latency-ms"]) } : {}),
    ...(values["fault-rate"] !== undefined ? { faultRate: Number(values["fault-rate"]) } : {}),
    ...(values["throttle-rate"] !== undefined
      ? {
          throttle: {
            ratePerSecond: Number(values["throttle-rate"]),
            burst: Number(values["throttle-burst"] ?? values["throttle-rate"]),
          },
        }
      : {}),
  },
});
process.stdout.write(`${emulator.url}\n`);

const stop = (): void => {
  emulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

// Started with an IPC channel (the benchmarks do), the parent may change the knobs between phases
// with `{setKnobs: {...}}` (answered with the message's id), and a parent that goes away stops it.
if (process.send !== undefined) {
  process.on("message", (message: { id?: number; setKnobs?: KnobsInput }) => {
    if (message.setKnobs !== undefined) emulator.setKnobs(message.setKnobs);
    process.send?.({ id: message.id });
  });
  process.on("disconnect", stop);
}
