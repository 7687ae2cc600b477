import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  COMPRESS_FROM_BYTES,
  MAX_OUTPUT_BYTES,
  readStoredOutput,
  storeOutput,
} from "./store-output.js";

describe("storeOutput", () => {
  it("keeps a large output whole and compressed", () => {
    const output = {
      Reservations: Array.from({ length: 100 }, (_, i) => ({ InstanceId: `i-${i}` })),
    };
    const stored = storeOutput(output);
    expect(stored.bytes).toBeGreaterThanOrEqual(COMPRESS_FROM_BYTES);
    expect(stored.truncated).toBe(false);
    expect(stored.shown).toBe(output);
    expect(JSON.parse(gunzipSync(Buffer.from(stored.stored, "base64")).toString("utf8"))).toEqual(
      output,
    );
    expect(Buffer.from(stored.stored, "base64").length).toBeLessThan(stored.bytes);
    expect(readStoredOutput(stored.stored)).toEqual(output);
  });

  it("keeps a small output as JSON text", () => {
    const output = { Reservations: [{ Instances: [{ InstanceId: "i-1", Name: "Hé" }] }] };
    const stored = storeOutput(output);
    expect(stored.stored).toBe(JSON.stringify(output));
    expect(stored.bytes).toBe(Buffer.byteLength(JSON.stringify(output), "utf8"));
    expect(readStoredOutput(stored.stored)).toEqual(output);
    expect(readStoredOutput(storeOutput(null).stored)).toBeNull();
    expect(readStoredOutput(storeOutput("H4sI").stored)).toBe("H4sI");
  });

  it("reads rows written before small outputs were kept as text (always gzip)", () => {
    const output = { Buckets: [] };
    const old = gzipSync(JSON.stringify(output), { level: 1 }).toString("base64");
    expect(readStoredOutput(old)).toEqual(output);
  });

  it("cuts an output over the cap and says so", () => {
    const stored = storeOutput({ blob: "x".repeat(MAX_OUTPUT_BYTES + 1) });
    expect(stored.truncated).toBe(true);
    expect(stored.bytes).toBeGreaterThan(MAX_OUTPUT_BYTES);
    expect(stored.shown).toMatchObject({ truncated: true, limitBytes: MAX_OUTPUT_BYTES });
    expect(stored.stored.length).toBeLessThan(1000);
    expect(readStoredOutput(stored.stored)).toEqual(stored.shown);
  });
});
