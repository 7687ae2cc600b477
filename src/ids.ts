import { randomBytes } from "node:crypto";

// The last millisecond an id was made for, and the counter within it (RFC 9562 §6.2, method 1:
// rand_a's 12 bits count the ids of one millisecond, from a random start below 2048).
let lastMs = -1;
let counter = 0;

/**
 * A UUIDv7: 48 bits of milliseconds then random bits, so ids sort by creation time and keyset
 * paging over `id` follows insertion order. Ids one process makes in the same millisecond sort
 * in the order they were made (twelve of the bits count them): audit events and runs listed
 * newest first came out shuffled within a millisecond. A moment well before the last (a clock set
 * back, a time given) starts the count again at its own millisecond.
 */
export function newId(nowMs: number = Date.now()): string {
  const bytes = randomBytes(16);
  let ms = nowMs;
  if (ms > lastMs || lastMs - ms >= 10) {
    // A new millisecond, or a moment well before the last (a clock set back, a time given): the
    // count starts again there.
    lastMs = ms;
    counter = (bytes[7] ?? 0) | (((bytes[6] ?? 0) & 0x07) << 8);
  } else {
    // The same millisecond (or one the counter borrowed, or a clock stepping back a little).
    counter += 1;
    // 2048 or more ids in one millisecond: borrow the next one, as the RFC allows.
    if (counter > 0xfff) {
      lastMs += 1;
      counter = 0;
    }
    ms = lastMs;
  }
  const sequence = counter;
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
