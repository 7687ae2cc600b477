import os from "node:os";
import type { Command } from "commander";
import { apiRequest } from "../api-client.js";
import { CliError } from "../cli-error.js";
import { profilePath, removeProfile, writeProfile } from "../profile.js";
import { readSecret } from "../read-secret.js";

interface LoginOptions {
  url?: string;
  org: string;
  username?: string;
  withToken?: boolean;
}

export function registerLogin(program: Command): void {
  program
    .command("login")
    .description("sign in and save a profile (URL and a new API token) for later commands")
    .option("--org <org>", "organisation", "default")
    .option("--username <name>", "user name; the password is read from stdin or a prompt")
    .option("--with-token", "read an existing API token from stdin instead of signing in")
    .action(async (_o: unknown, command: Command) => {
      const options = command.optsWithGlobals<LoginOptions>();
      const url = (options.url ?? process.env.SWITCHBOARD_URL)?.replace(/\/+$/, "");
      if (url === undefined) throw new CliError("pass --url or set SWITCHBOARD_URL");
      let token: string;
      if (options.withToken === true) {
        token = await readSecret("API token: ");
      } else {
        if (options.username === undefined) throw new CliError("pass --username, or --with-token");
        const password = await readSecret(`password for ${options.username}: `);
        const session = await apiRequest<{ csrfToken: string }>(url, "POST", "/auth/login", {
          body: { org: options.org, username: options.username, password },
        });
        const cookie = session.headers
          .getSetCookie()
          .map((c) => c.split(";")[0])
          .join("; ");
        const headers = { cookie, "x-csrf-token": session.data.csrfToken };
        const created = await apiRequest<{ secret: string }>(url, "POST", "/tokens", {
          body: { name: `cli@${os.hostname()}`, expiresInDays: 90 },
          headers,
        });
        token = created.data.secret;
        // The browser-style session was only needed to mint the token.
        await apiRequest(url, "POST", "/auth/logout", { headers });
      }
      const who = await apiRequest<{ user: { name: string }; org: string }>(url, "GET", "/whoami", {
        headers: { authorization: `Bearer ${token}` },
      });
      const file = writeProfile({ url, token });
      process.stdout.write(
        `signed in to ${url} as ${who.data.user.name} (org ${who.data.org}); profile saved to ${file}\n`,
      );
    });

  program
    .command("logout")
    .description("forget the saved profile")
    .action(() => {
      const file = profilePath();
      process.stdout.write(removeProfile() ? `removed ${file}\n` : "no saved profile\n");
    });
}
