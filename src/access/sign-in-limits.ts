import type { Db } from "../db/index.js";
import { Refused } from "../errors.js";

/** A window of sign-in attempts starts at its first attempt and lasts this long. */
export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
/** Passwords checked per user name (as typed, in its org) per window. */
export const MAX_ATTEMPTS_PER_USER = 5;
/** Passwords checked per client address per window. */
export const MAX_ATTEMPTS_PER_ADDRESS = 30;

/** Too many attempts: the API answers 429 with Retry-After. */
const STALE_KEYS_CLEARED_PER_CLAIM = 20;

export class SignInRateLimited extends Refused {
  constructor(readonly retryAfterSeconds: number) {
    super(
      "RATE_LIMITED",
      `too many sign-in attempts; try again in ${Math.ceil(retryAfterSeconds / 60)} minute${retryAfterSeconds > 60 ? "s" : ""}`,
    );
  }
}

export interface SignInClaim {
  /** Hands the attempt back (the password was right), so it does not count against the limits. */
  release(): Promise<void>;
}

interface Limit {
  key: string;
  max: number;
}

/**
 * Claims one sign-in attempt for the user name and the address, before any password is checked.
 * Each key's count is taken by one atomic upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`):
 * SQLite runs writers one at a time, and PostgreSQL locks the key's row until the transaction
 * ends, so concurrent attempts are counted one after another and no more than the limit ever get
 * through. Keys are taken in one order (user, then address), so two claims never wait on each
 * other in a cycle. An attempt over either limit is rolled back, not counted: hammering a locked
 * account does not push its window further out.
 */
export async function claimSignInAttempt(
  db: Db,
  who: { org: string; username: string; sourceIp: string | null },
  now: Date,
): Promise<SignInClaim> {
  const limits: Limit[] = [{ key: `user:${who.org}/${who.username}`, max: MAX_ATTEMPTS_PER_USER }];
  if (who.sourceIp !== null)
    limits.push({ key: `address:${who.sourceIp}`, max: MAX_ATTEMPTS_PER_ADDRESS });
  const nowIso = now.toISOString();
  const expired = new Date(now.getTime() - SIGN_IN_WINDOW_MS).toISOString();

  const claimed = await db.transaction().execute(async (tx) => {
    const windows: { key: string; windowStart: string }[] = [];
    for (const limit of limits) {
      const row = await tx
        .insertInto("sign_in_limits")
        .values({ key: limit.key, window_start: nowIso, attempts: 1 })
        .onConflict((oc) =>
          oc.column("key").doUpdateSet((eb) => ({
            window_start: eb
              .case()
              .when("sign_in_limits.window_start", "<=", expired)
              .then(nowIso)
              .else(eb.ref("sign_in_limits.window_start"))
              .end(),
            attempts: eb
              .case()
              .when("sign_in_limits.window_start", "<=", expired)
              .then(1)
              .else(eb("sign_in_limits.attempts", "+", 1))
              .end(),
          })),
        )
        .returning(["window_start", "attempts"])
        .executeTakeFirstOrThrow();
      if (Number(row.attempts) > limit.max) {
        const endsAt = new Date(row.window_start).getTime() + SIGN_IN_WINDOW_MS;
        throw new SignInRateLimited(Math.max(1, Math.ceil((endsAt - now.getTime()) / 1000)));
      }
      windows.push({ key: limit.key, windowStart: row.window_start });
    }
    return windows;
  });

  // Keys whose window ended are of no use; clearing a few each time keeps the table to recent
  // keys. One row per statement: a statement that waits on a claim's row holds no other row,
  // so it can never close a cycle of waits with one.
  const stale = await db
    .selectFrom("sign_in_limits")
    .select("key")
    .where("window_start", "<=", expired)
    .limit(STALE_KEYS_CLEARED_PER_CLAIM)
    .execute();
  for (const { key } of stale) {
    await db
      .deleteFrom("sign_in_limits")
      .where("key", "=", key)
      .where("window_start", "<=", expired)
      .execute();
  }

  return {
    release: async () => {
      for (const { key, windowStart } of claimed) {
        await db
          .updateTable("sign_in_limits")
          .set((eb) => ({ attempts: eb("attempts", "-", 1) }))
          .where("key", "=", key)
          .where("window_start", "=", windowStart)
          .where("attempts", ">", 0)
          .execute();
      }
    },
  };
}
