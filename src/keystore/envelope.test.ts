import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { open, seal, valueAad } from "./envelope.js";

describe("envelope", () => {
  const key = randomBytes(32);
  const aad = valueAad({ orgId: "o", id: "1", path: "keys/system/a" });

  it("round-trips a value", () => {
    expect(open(key, seal(key, Buffer.from("hunter2"), aad), aad).toString()).toBe("hunter2");
  });

  it("refuses another row's associated data, another key and a flipped byte", () => {
    const box = seal(key, Buffer.from("hunter2"), aad);
    expect(() =>
      open(key, box, valueAad({ orgId: "o", id: "2", path: "keys/system/a" })),
    ).toThrow();
    expect(() => open(randomBytes(32), box, aad)).toThrow();
    const bytes = Buffer.from(box, "base64");
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    expect(() => open(key, bytes.toString("base64"), aad)).toThrow();
  });

  it("never contains the plaintext", () => {
    const box = seal(key, Buffer.from("plain-secret-value"), aad);
    expect(Buffer.from(box, "base64").includes(Buffer.from("plain-secret-value"))).toBe(false);
  });
});
