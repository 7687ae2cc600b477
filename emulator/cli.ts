import { parseArgs } from "node:util";
import type { KnobsInput } from "./knobs/knobs.js";
import { startEmulator } from "./start-emulator.js";

const USAGE = `usage: npm run emulator -- [options]
  --world FILE           the world, YAML or JSON (default emulator/worlds/demo.yaml)
  --port N               0 picks a free port (default 4566)
  --host ADDR            (default 127.0.0.1)
  --latency-ms N         added to every answer
  --fault-rate 0..1      share of calls answered with a 500
  --throttle-rate N      calls per second per account, region and service before throttling
  --throttle-burst N     (default the rate)
  --help                 this text
Prints the emulator's URL once it listens (see emulator/README.md).
`;

/** Bad input: one readable line on stderr and exit 2, never a stack trace. */
function refuse(message: string): never {
  process.stderr.write(`emulator: ${message} (--help for the options)\n`);
  process.exit(2);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      world: { type: "string", default: "emulator/worlds/demo.yaml" },
      port: { type: "string", default: "4566" },
      host: { type: "string", default: "127.0.0.1" },
      "latency-ms": { type: "string" },
      "fault-rate": { type: "string" },
      "throttle-rate": { type: "string" },
      "throttle-burst": { type: "string" },
      help: { type: "boolean" },
    },
  }));
} catch (error) {
  refuse(error instanceof Error ? error.message : String(error));
}
if (values.help === true) {
  process.stdout.write(USAGE);
  process.exit(0);
}

/** A number option, refused unless it is a number within [min, max]. */
function numberOf(name: string, min: number, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(n) || n < min || n > max)
    refuse(`--${name}: expected a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

const port = numberOf("port", 0, 65535) ?? 4566;
if (!Number.isInteger(port)) refuse(`--port: expected a whole number, got ${port}`);
const latencyMs = numberOf("latency-ms", 0, 600_000);
const faultRate = numberOf("fault-rate", 0, 1);
const throttleRate = numberOf("throttle-rate", 0, 1_000_000);
const throttleBurst = numberOf("throttle-burst", 0, 1_000_000);

const emulator = await startEmulator({
  world: String(values.world),
  port,
  host: String(values.host),
  knobs: {
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(faultRate !== undefined ? { faultRate } : {}),
    ...(throttleRate !== undefined
      ? { throttle: { ratePerSecond: throttleRate, burst: throttleBurst ?? throttleRate } }
      : {}),
  },
}).catch((error: unknown) => refuse(error instanceof Error ? error.message : String(error)));
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
