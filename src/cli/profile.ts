import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { CliError } from "./cli-error.js";

const profileSchema = z.object({ url: z.url(), token: z.string().min(1) });
export type Profile = z.infer<typeof profileSchema>;

export function profilePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME ?? path.join(env.HOME ?? os.homedir(), ".config");
  return path.join(base, "switchboard", "profile.json");
}

export function readProfile(env: NodeJS.ProcessEnv = process.env): Profile | undefined {
  const file = profilePath(env);
  if (!fs.existsSync(file)) return undefined;
  const parsed = profileSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success)
    throw new CliError(`${file} is not a valid profile; run switchboard login again`);
  return parsed.data;
}

/** The profile holds a token, so only its owner may read it (mode 0600, folder 0700). */
export function writeProfile(profile: Profile, env: NodeJS.ProcessEnv = process.env): string {
  const file = profilePath(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${JSON.stringify(profile, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

export function removeProfile(env: NodeJS.ProcessEnv = process.env): boolean {
  const file = profilePath(env);
  if (!fs.existsSync(file)) return false;
  fs.rmSync(file);
  return true;
}
