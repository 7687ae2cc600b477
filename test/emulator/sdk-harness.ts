import type { AwsCredentialIdentity } from "@smithy/types";
import { afterAll, beforeAll } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";

/**
 * An emulator on `world` for the file's tests (started before them, closed after), and the
 * configuration of an SDK v3 client that calls it once (no retries) with `credentials`.
 */
export function sdkHarness(
  world: () => WorldInput,
  defaults: { credentials: AwsCredentialIdentity; region?: string },
): {
  url: () => string;
  config: (credentials?: AwsCredentialIdentity) => {
    endpoint: string;
    region: string;
    credentials: AwsCredentialIdentity;
    maxAttempts: number;
  };
} {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ world: world() });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  const url = () => {
    if (emulator === undefined) throw new Error("the emulator starts in beforeAll");
    return emulator.url;
  };
  return {
    url,
    config: (credentials = defaults.credentials) => ({
      endpoint: url(),
      region: defaults.region ?? "us-east-1",
      credentials,
      maxAttempts: 1,
    }),
  };
}

/** The error a call failed with; throws when it succeeded. */
export async function failure(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error("the call succeeded");
}

/** The HTTP status an SDK v3 error was answered with. */
export function httpStatus(error: Record<string, unknown>): unknown {
  return (error.$metadata as { httpStatusCode?: number }).httpStatusCode;
}
