/**
 * Builds the server (TypeScript into dist/src) and the web UI (Vite into dist/web) only when
 * their inputs changed since the last build, so `npm start` after `npm install` starts at once.
 *
 *   tsx scripts/build-if-needed.ts            build what is out of date (npm start, prepare)
 *   tsx scripts/build-if-needed.ts web        the web UI only, if out of date (npm run build:web,
 *                                             npm test: the browser tests use dist/web)
 *   tsx scripts/build-if-needed.ts --force    build both (npm run build)
 *
 * Each build leaves a stamp beside its output: a hash of the content of every input file. A part
 * is current when its stamp matches the inputs as they are now and its entry file exists.
 * Contents, not modification times: a fresh clone, a checkout or a copy sets every time anew.
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SELF = path.relative(ROOT, fileURLToPath(import.meta.url));

interface Stamp {
  fingerprint: string;
  /** The files the fingerprint covers (for the web UI, every module Vite bundled last time). */
  files: string[];
}

interface Part {
  name: string;
  stampFile: string;
  entryFile: string;
  /** The input files (relative to the root) the part depends on, given its last stamp. */
  inputs(previous: Stamp | undefined): string[];
  /** Builds the part and returns the files it was built from. */
  build(clean: boolean): Promise<string[]>;
}

// Dependencies and the build's own settings change every output.
const COMMON_INPUTS = ["package.json", "package-lock.json", SELF];

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

/** One hash of the names and contents of the files; a missing file counts as such. */
function fingerprint(files: string[]): string {
  const hash = createHash("sha256");
  for (const file of [...new Set(files)].sort()) {
    const full = path.join(ROOT, file);
    hash.update(`${file}\0`);
    hash.update(fs.existsSync(full) ? fs.readFileSync(full) : "\0missing\0");
    hash.update("\0");
  }
  return hash.digest("hex");
}

function readStamp(file: string): Stamp | undefined {
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as Partial<Stamp>;
    return typeof stamp.fingerprint === "string" && Array.isArray(stamp.files)
      ? { fingerprint: stamp.fingerprint, files: stamp.files }
      : undefined;
  } catch {
    return undefined;
  }
}

const TS_BUILD_INFO = "dist/src/.tsbuildinfo";

const server: Part = {
  name: "server",
  stampFile: "dist/src/.build-inputs.json",
  entryFile: "dist/src/cli/main.js",
  inputs: () => [
    ...COMMON_INPUTS,
    "tsconfig.json",
    "tsconfig.build.json",
    ...walk("src").filter((f) => !f.endsWith(".test.ts")),
  ],
  build: (clean) => {
    // An incremental build trusts its build info over the files on disk: without a stamp (a
    // build that stopped half-way, outputs deleted by hand) start from nothing.
    if (clean) fs.rmSync(path.join(ROOT, TS_BUILD_INFO), { force: true });
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    const args = ["-p", "tsconfig.build.json", "--incremental", "--tsBuildInfoFile", TS_BUILD_INFO];
    const result = spawnSync(process.execPath, [tsc, ...args], { cwd: ROOT, stdio: "inherit" });
    if (result.status !== 0) throw new Error(`tsc ${args.join(" ")} failed`);
    return Promise.resolve(server.inputs(undefined));
  },
};

const WEB_CONFIG = ["web/vite.config.ts", "web/index.html", "web/tsconfig.json"];

/** Records every file of the project Vite bundled (sources, styles), whatever imports it. */
function recordModules(into: Set<string>): Plugin {
  return {
    name: "switchboard-record-inputs",
    apply: "build",
    generateBundle() {
      for (const id of this.getModuleIds()) {
        if (id.startsWith("\0")) continue;
        const file = id.split("?")[0] ?? id;
        const rel = path.relative(ROOT, file);
        if (rel.startsWith("..") || path.isAbsolute(rel) || rel.includes("node_modules")) continue;
        if (fs.existsSync(file)) into.add(rel);
      }
    },
  };
}

const web: Part = {
  name: "web UI",
  // Vite empties dist/web before it builds: a stopped or failed build leaves no stamp.
  stampFile: "dist/web/.build-inputs.json",
  entryFile: "dist/web/index.html",
  inputs: (previous) => [...COMMON_INPUTS, ...WEB_CONFIG, ...(previous?.files ?? [])],
  build: async () => {
    const modules = new Set<string>();
    // Imported only when needed: loading Vite takes longer than checking the stamps.
    const { build } = await import("vite");
    await build({
      configFile: path.join(ROOT, "web/vite.config.ts"),
      logLevel: "warn",
      plugins: [recordModules(modules)],
    });
    return [...COMMON_INPUTS, ...WEB_CONFIG, ...modules];
  },
};

async function main(): Promise<void> {
  const force = process.argv.includes("--force");
  const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const unknown = only.filter((name) => name !== "server" && name !== "web");
  if (unknown.length > 0) {
    console.error(`unknown part ${unknown.join(", ")}: expected server or web`);
    process.exit(2);
  }
  const parts = [server, web].filter(
    (part) => only.length === 0 || only.includes(part === server ? "server" : "web"),
  );
  for (const part of parts) {
    const stamp = readStamp(part.stampFile);
    const entryExists = fs.existsSync(path.join(ROOT, part.entryFile));
    const current =
      !force &&
      stamp !== undefined &&
      entryExists &&
      fingerprint(part.inputs(stamp)) === stamp.fingerprint;
    if (current) continue;
    const why = force
      ? "asked to"
      : stamp === undefined || !entryExists
        ? "no build yet"
        : "its sources changed";
    console.error(`building the ${part.name} (${why})`);
    const started = Date.now();
    fs.rmSync(path.join(ROOT, part.stampFile), { force: true });
    const files = await part.build(force || stamp === undefined || !entryExists);
    const next: Stamp = { fingerprint: fingerprint(files), files: [...new Set(files)].sort() };
    fs.writeFileSync(path.join(ROOT, part.stampFile), `${JSON.stringify(next, null, 1)}\n`);
    console.error(`built the ${part.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
