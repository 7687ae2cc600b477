import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MAX_OUTPUT_BYTES, storeOutput } from "./store-output.js";

describe("storeOutput", () => {
  it("keeps an output whole and compressed", () => {
    const output = {
      Reservations: Array.from({ length: 100 }, (_, i) => ({ InstanceId: `i-${i}` })),
    };
    const stored = storeOutput(output);
    expect(stored.truncated).toBe(false);
    expect(stored.shown).toBe(output);
    expect(
      JSON.parse(gunzipSync(Buffer.from(stored.compressed, "base64")).toString("utf8")),
    ).toEqual(output);
    expect(Buffer.from(stored.compressed, "base64").length).toBeLessThan(stored.bytes);
  });

  it("cuts an output over the cap and says so", () => {
    const stored = storeOutput({ blob: "x".repeat(MAX_OUTPUT_BYTES + 1) });
    expect(stored.truncated).toBe(true);
    expect(stored.bytes).toBeGreaterThan(MAX_OUTPUT_BYTES);
    expect(stored.shown).toMatchObject({ truncated: true, limitBytes: MAX_OUTPUT_BYTES });
    expect(stored.compressed.length).toBeLessThan(1000);
  });
});
