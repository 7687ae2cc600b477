// The hand-written SDK script (fan-out-kit.ts) in a process of its own, for the fan-out's "script
// on two processes" figure: each of two such processes runs the script over half the accounts, the
// least a two-process fan-out can cost on this machine. Started by processes.ts (spawnScript);
// answers `{ run }` over IPC with the run's wall time and this process's CPU time.
import { Agent } from "node:http";
import { STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { handWrittenFanOut, measured, OVERALL_CONCURRENCY, REGIONS } from "./fan-out-kit.js";

export interface ScriptRun {
  first: number;
  accounts: number;
  access: "read" | "full";
  /** The ExternalId of each account of the range, by account number. */
  externalIds: Record<string, string>;
}

const endpoint = process.env.BENCH_EMULATOR_URL ?? "";
const requestHandler = new NodeHttpHandler({
  httpAgent: new Agent({ keepAlive: true, maxSockets: OVERALL_CONCURRENCY }),
});
const sts = new STSClient({
  region: REGIONS[0] ?? "us-east-1",
  endpoint,
  credentials: fromNodeProviderChain(),
  requestHandler,
});

process.on("message", (message: { id: number; run: ScriptRun }) => {
  const { run } = message;
  const h = {
    requestHandler,
    sts,
    externalIdOf: (account: number) => run.externalIds[String(account)] ?? "",
    endpoint,
  };
  void measured(() => handWrittenFanOut(h, run.accounts, run.access, run.first)).then(
    ({ value, wallMs, cpuMs }) =>
      process.send?.({ id: message.id, result: { ...value, wallMs, cpuMs } }),
    (error: unknown) => process.send?.({ id: message.id, result: { error: String(error) } }),
  );
});
process.send?.({ ready: true });
