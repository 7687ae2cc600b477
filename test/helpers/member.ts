import type { TestApp } from "./test-app.js";

/** Creates a member with a password and returns an API token of theirs, minted through a real sign-in. */
export async function signInAsMember(
  t: TestApp,
  name: string,
  teams: string[] = [],
): Promise<string> {
  const password = `${name}-password-123`;
  await t.call("POST", "/api/v1/users", { body: { name, password } });
  for (const team of teams) {
    const created = await t.call("POST", "/api/v1/teams", {
      body: { name: team, members: [name] },
    });
    if (created.statusCode === 409) await t.call("PUT", `/api/v1/teams/${team}/members/${name}`);
  }
  const login = await t.call("POST", "/api/v1/auth/login", {
    token: null,
    body: { username: name, password },
  });
  const cookie = String(login.headers["set-cookie"]).split(";")[0] ?? "";
  const created = await t.call("POST", "/api/v1/tokens", {
    token: null,
    headers: { cookie, "x-csrf-token": login.json<{ csrfToken: string }>().csrfToken },
    body: { name: `${name}-token` },
  });
  return created.json<{ secret: string }>().secret;
}
