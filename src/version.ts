import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The package version, found by walking up from this file (src/ in development, dist/src/ when built). */
export function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "switchboard") return pkg.version ?? "0.0.0";
    }
    const parent = path.dirname(dir);
    if (parent === dir) return "0.0.0";
    dir = parent;
  }
}
