import { describe, expect, it } from "vitest";
import { CredentialCache } from "./credential-cache.js";

describe("CredentialCache", () => {
  it("fetches once for concurrent callers and reuses until five minutes before expiry", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const cache = new CredentialCache({ now: () => new Date(now) });
    let fetches = 0;
    const fetch = async () => {
      fetches += 1;
      await new Promise((r) => setTimeout(r, 10));
      return {
        accessKeyId: `ASIA${fetches}`,
        secretAccessKey: "s",
        expiration: new Date(now + 60 * 60 * 1000),
      };
    };
    const results = await Promise.all(
      Array.from({ length: 17 }, () => cache.get("c1", "user:a", fetch)),
    );
    expect(fetches).toBe(1);
    expect(new Set(results.map((r) => r.accessKeyId))).toEqual(new Set(["ASIA1"]));
    now += 54 * 60 * 1000;
    expect((await cache.get("c1", "user:a", fetch)).accessKeyId).toBe("ASIA1");
    now += 2 * 60 * 1000;
    expect((await cache.get("c1", "user:a", fetch)).accessKeyId).toBe("ASIA2");
    expect(fetches).toBe(2);
  });

  it("keeps entries apart per connection and actor, and forgets a connection", async () => {
    const cache = new CredentialCache({ now: () => new Date() });
    let n = 0;
    const fetch = () => Promise.resolve({ accessKeyId: `K${++n}`, secretAccessKey: "s" });
    await cache.get("c1", "user:a", fetch);
    await cache.get("c1", "user:b", fetch);
    await cache.get("c2", "user:a", fetch);
    expect(n).toBe(3);
    cache.forget("c1");
    await cache.get("c1", "user:a", fetch);
    await cache.get("c2", "user:a", fetch);
    expect(n).toBe(4);
  });

  it("drops credentials AWS refused only while they are still the cached ones, and fetches fresh", async () => {
    const cache = new CredentialCache({ now: () => new Date() });
    const fetched: boolean[] = [];
    const fetch = (fresh: boolean) => {
      fetched.push(fresh);
      return Promise.resolve({ accessKeyId: `K${fetched.length}`, secretAccessKey: "s" });
    };
    const first = await cache.get("c", "u", fetch);
    cache.reject("c", "u", first);
    const second = await cache.get("c", "u", fetch);
    // A call that failed with the first credentials, answered after the refresh: nothing dropped.
    cache.reject("c", "u", first);
    expect(await cache.get("c", "u", fetch)).toBe(second);
    expect(fetched).toEqual([false, true]);
  });

  it("does not cache a failure", async () => {
    const cache = new CredentialCache({ now: () => new Date() });
    await expect(
      cache.get("c", "u", () => Promise.reject(new Error("AccessDenied"))),
    ).rejects.toThrow("AccessDenied");
    expect(
      (
        await cache.get("c", "u", () =>
          Promise.resolve({ accessKeyId: "ok", secretAccessKey: "s" }),
        )
      ).accessKeyId,
    ).toBe("ok");
  });
});
