import { afterEach, expect, it } from "vitest";
import type { LightMyRequestResponse } from "fastify";
import { verifyPassword } from "../../src/access/passwords.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const PASSWORD = "correct-horse-battery";
const WINDOW_MS = 15 * 60 * 1000;
const PARALLEL = 120;

/** A clock the test moves, and a password check that counts how often it runs. */
function harness() {
  let now = Date.parse("2026-03-01T09:00:00.000Z");
  const checked = { count: 0 };
  return {
    clock: { now: () => new Date(now) },
    advance: (ms: number) => {
      now += ms;
    },
    checked,
    verifyPassword: (hash: string, password: string) => {
      checked.count += 1;
      return verifyPassword(hash, password);
    },
  };
}

describeEachDatabase("sign-in attempts in parallel", (suite) => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((t) => t.close()));
  });

  async function setUp(user: string) {
    const h = harness();
    const t = await createTestApp(suite.handle().db, {
      clock: h.clock,
      appDeps: { verifyPassword: h.verifyPassword },
    });
    apps.push(t);
    expect(
      (await t.call("POST", "/api/v1/users", { body: { name: user, password: PASSWORD } }))
        .statusCode,
    ).toBe(201);
    h.checked.count = 0;
    const signIn = (username: string, password: string, address: string) =>
      t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        remoteAddress: address,
        payload: { username, password },
      });
    return { ...h, t, signIn };
  }

  function expectLimited(response: LightMyRequestResponse) {
    expect(response.statusCode).toBe(429);
    expect(response.json<{ error: { code: string } }>().error.code).toBe("RATE_LIMITED");
    const retryAfter = Number(response.headers["retry-after"]);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
  }

  it("checks no more than five parallel guesses for one user against the hash and refuses the rest with Retry-After", async () => {
    const { signIn, checked } = await setUp("victim");
    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        signIn("victim", `guess-${i}`, `198.51.100.${i % 250}`),
      ),
    );
    expect(checked.count).toBeLessThanOrEqual(5);
    const wrong = responses.filter((r) => r.statusCode === 401);
    const limited = responses.filter((r) => r.statusCode === 429);
    expect(wrong.length).toBe(checked.count);
    expect(wrong.length + limited.length).toBe(PARALLEL);
    for (const r of limited) expectLimited(r);
  });

  it("refuses the right password sent after the user's limit until the window has passed", async () => {
    const { signIn, checked, advance } = await setUp("patient");
    await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        signIn("patient", `guess-${i}`, `203.0.113.${i % 250}`),
      ),
    );
    const before = checked.count;
    expectLimited(await signIn("patient", PASSWORD, "192.0.2.77"));
    expect(checked.count).toBe(before);
    advance(WINDOW_MS - 60_000);
    expectLimited(await signIn("patient", PASSWORD, "192.0.2.77"));
    advance(60_001);
    // Signing in successfully hands each attempt back: more than five in a window are fine.
    for (let i = 0; i < 7; i++)
      expect((await signIn("patient", PASSWORD, "192.0.2.77")).statusCode).toBe(200);
  });

  it("checks no more than thirty parallel guesses from one address, whichever users they name", async () => {
    const { signIn, checked, advance } = await setUp("neighbour");
    const address = "192.0.2.200";
    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) => signIn(`someone-${i}`, "guess", address)),
    );
    expect(checked.count).toBeLessThanOrEqual(30);
    const wrong = responses.filter((r) => r.statusCode === 401);
    const limited = responses.filter((r) => r.statusCode === 429);
    expect(wrong.length).toBe(checked.count);
    expect(wrong.length + limited.length).toBe(PARALLEL);
    for (const r of limited) expectLimited(r);

    // The right password from that address waits for the window; from another it is welcome.
    expectLimited(await signIn("neighbour", PASSWORD, address));
    expect((await signIn("neighbour", PASSWORD, "192.0.2.201")).statusCode).toBe(200);
    advance(WINDOW_MS + 1);
    expect((await signIn("neighbour", PASSWORD, address)).statusCode).toBe(200);
  });
});
