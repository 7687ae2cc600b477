import { hash, verify } from "@node-rs/argon2";

// argon2id (the library's default algorithm) with OWASP's suggested minimum cost:
// 19 MiB of memory, 2 iterations, 1 lane.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** How a password is checked against its hash: a dependency, so tests can count the checks. */
export type PasswordVerifier = (passwordHash: string, password: string) => Promise<boolean>;

// Verifying against a fixed hash when the user does not exist keeps the response time
// the same, so timing does not reveal which user names exist.
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(
  password: string,
  verify: PasswordVerifier = verifyPassword,
): Promise<void> {
  dummyHash ??= hashPassword("switchboard-dummy-password");
  await verify(await dummyHash, password);
}
