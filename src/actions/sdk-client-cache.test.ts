import { describe, expect, it } from "vitest";
import { SdkClientCache } from "./sdk-client-cache.js";

describe("SdkClientCache", () => {
  it("reuses a client per key and drops the least recently used past its size", () => {
    const cache = new SdkClientCache(2);
    let made = 0;
    const make = () => ({ n: ++made });
    const a = cache.get("a", make);
    expect(cache.get("a", make)).toBe(a);
    cache.get("b", make);
    cache.get("a", make);
    cache.get("c", make);
    expect(made).toBe(3);
    expect(cache.get("a", make)).toBe(a);
    cache.get("b", make);
    expect(made).toBe(4);
  });
});
