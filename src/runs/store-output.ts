import { gunzipSync, gzipSync } from "node:zlib";

/** Outputs larger than this (as JSON) are cut: the stored and shown output says so. */
export const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/**
 * Outputs up to this size (as JSON) are stored as JSON text: gzip's fixed cost (a fresh deflate
 * state per output) is most of a small output's storage cost and saves few bytes once base64'd.
 */
export const COMPRESS_FROM_BYTES = 2048;

// A gzip stream starts 1f 8b 08, which base64 spells "H4sI"; JSON text never starts with "H".
const GZIP_BASE64 = "H4sI";

export interface StoredOutput {
  /** What the API shows: the output, or a note that it was cut. */
  shown: unknown;
  truncated: boolean;
  /** Size of the whole output as JSON, before any cut. */
  bytes: number;
  /** The run_targets `output` column: JSON text, or gzip then base64 for larger outputs. */
  stored: string;
}

function encode(json: string, bytes: number): string {
  return bytes < COMPRESS_FROM_BYTES ? json : gzipSync(json, { level: 1 }).toString("base64");
}

/** Serializes a (redacted) output once for storage, cutting it at the cap. */
export function storeOutput(output: unknown): StoredOutput {
  const json = JSON.stringify(output ?? null);
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes <= MAX_OUTPUT_BYTES)
    return { shown: output, truncated: false, bytes, stored: encode(json, bytes) };
  const shown = {
    truncated: true,
    bytes,
    limitBytes: MAX_OUTPUT_BYTES,
    note: "the output was larger than the cap; use maxItems or filters",
  };
  const note = JSON.stringify(shown);
  return { shown, truncated: true, bytes, stored: encode(note, Buffer.byteLength(note, "utf8")) };
}

/** Reads a run_targets `output` column written by storeOutput (either encoding). */
export function readStoredOutput(stored: string): unknown {
  const json = stored.startsWith(GZIP_BASE64)
    ? gunzipSync(Buffer.from(stored, "base64")).toString("utf8")
    : stored;
  return JSON.parse(json) as unknown;
}
