import { gzipSync } from "node:zlib";

/** Outputs larger than this (as JSON) are cut: the stored and shown output says so. */
export const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

export interface StoredOutput {
  /** What the API shows: the output, or a note that it was cut. */
  shown: unknown;
  truncated: boolean;
  bytes: number;
  /** gzip, base64, for the run_targets row. */
  compressed: string;
}

export function storeOutput(output: unknown): StoredOutput {
  const json = JSON.stringify(output ?? null);
  const bytes = Buffer.byteLength(json, "utf8");
  const truncated = bytes > MAX_OUTPUT_BYTES;
  const shown = truncated
    ? {
        truncated: true,
        bytes,
        limitBytes: MAX_OUTPUT_BYTES,
        note: "the output was larger than the cap; use maxItems or filters",
      }
    : output;
  return {
    shown,
    truncated,
    bytes,
    compressed: gzipSync(JSON.stringify(shown), { level: 1 }).toString("base64"),
  };
}
