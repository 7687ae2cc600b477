import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/**
 * Inside the repository so that the compiled files find node_modules, package.json and dist/web
 * by walking up, as dist/src does; one folder per content hash of the sources.
 */
const CACHE = path.join(ROOT, "node_modules/.cache/switchboard-test-server");
// What the emitted JavaScript depends on: the sources, the compiler settings, the dependencies
// (the TypeScript version among them). This file's own text too, so a change here rebuilds.
const INPUTS = ["tsconfig.json", "tsconfig.build.json", "package.json", "package-lock.json"];
const SELF = path.relative(ROOT, fileURLToPath(import.meta.url));
/**
 * Test programs that run as processes of their own (worker processes a test kills), compiled with
 * the server; they import nothing but src/.
 */
const CHILD_PROGRAMS = ["test/engine/engine-child.ts", "test/engine/queue-worker-child.ts"];
/** A lock older than this was left by a build that was killed: no build takes that long. */
const STALE_LOCK_MS = 5 * 60_000;
/** Builds nobody used for this long are removed after a new build. */
const UNUSED_MS = 24 * 3600_000;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(rel));
    else if (entry.isFile() && !entry.name.endsWith(".test.ts")) out.push(rel);
  }
  return out;
}

/** A hash of the names and contents of every input, as they are on disk now. */
export function serverSourcesFingerprint(): string {
  const hash = createHash("sha256");
  for (const file of [...INPUTS, SELF, ...CHILD_PROGRAMS, ...sources("src")].sort()) {
    const full = path.join(ROOT, file);
    hash.update(`${file}\0`);
    hash.update(fs.existsSync(full) ? fs.readFileSync(full) : "\0missing\0");
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 24);
}

function compile(outDir: string): Promise<void> {
  // tsconfig.build.json (what `npm run build` compiles), plus the child programs.
  const config = `${outDir}.tsconfig.json`;
  fs.writeFileSync(
    config,
    JSON.stringify({
      extends: path.join(ROOT, "tsconfig.build.json"),
      compilerOptions: { rootDir: ROOT, outDir },
      include: [path.join(ROOT, "src")],
      exclude: [path.join(ROOT, "**/*.test.ts")],
      files: CHILD_PROGRAMS.map((file) => path.join(ROOT, file)),
    }),
  );
  return new Promise<void>((resolve, reject) => {
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    // The same compiler and settings as `npm run build`, without the type check: `npm test`
    // type-checks first, and with isolatedModules the emitted files do not depend on types. A
    // type error in a file being edited elsewhere then does not stop the tests of everything
    // else, as running the sources through tsx never did.
    const args = ["-p", config, "--noCheck"];
    const child = spawn(process.execPath, [tsc, ...args], { cwd: ROOT, stdio: "pipe" });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`tsc ${args.join(" ")} failed (${code}):\n${output}`));
    });
  }).finally(() => fs.rmSync(config, { force: true }));
}

/**
 * Every file tsc emitted comes from a file the fingerprint covers: a source outside them that
 * src/ imports would otherwise be run as it was at the last build after it changed.
 */
function checkCovered(outDir: string): void {
  const covered = new Set([...CHILD_PROGRAMS, ...sources("src")]);
  const emitted = fs.readdirSync(outDir, { recursive: true, encoding: "utf8" });
  for (const file of emitted.filter((f) => f.endsWith(".js"))) {
    if (!covered.has(file.replace(/\.js$/, ".ts")) && !covered.has(file.replace(/\.js$/, ".tsx"))) {
      throw new Error(
        `the build for the tests compiled ${file}, whose source its fingerprint does not cover: add it in test/helpers/compiled-server.ts`,
      );
    }
  }
}

function prune(keep: string): void {
  for (const name of fs.readdirSync(CACHE)) {
    const dir = path.join(CACHE, name);
    if (dir === keep || name.includes(".")) continue;
    if (Date.now() - fs.statSync(dir).mtimeMs > UNUSED_MS) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The compiled server of the sources as they are now (src/ compiled by tsc, laid out as dist/,
 * and the child programs beside it):
 * built once per content of the sources and shared by every test file and every test run. A
 * build goes to a folder of its own and is renamed into place when complete, under a lock, so
 * concurrent runs never see a half-written build and never build the same sources twice; a
 * source changed since the last build gives a new hash, so an outdated build is never used.
 * Returns the folder of the build (`<build>/src/cli/main.js` is the `switchboard` command).
 */
export async function compiledServer(): Promise<string> {
  const fingerprint = serverSourcesFingerprint();
  const dir = path.join(CACHE, fingerprint);
  const entry = path.join(dir, "src/cli/main.js");
  const lock = `${dir}.lock`;
  fs.mkdirSync(CACHE, { recursive: true });
  for (;;) {
    if (fs.existsSync(entry)) {
      const now = new Date();
      fs.utimesSync(dir, now, now);
      return dir;
    }
    try {
      fs.mkdirSync(lock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // Another process builds these sources: wait for it (or take over a lock it left behind).
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age > STALE_LOCK_MS) fs.rmSync(lock, { recursive: true, force: true });
      await sleep(200);
      continue;
    }
    const partial = `${dir}.partial-${process.pid}`;
    try {
      fs.rmSync(partial, { recursive: true, force: true });
      await compile(partial);
      checkCovered(partial);
      fs.renameSync(partial, dir);
      prune(dir);
    } finally {
      fs.rmSync(partial, { recursive: true, force: true });
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

let memo: Promise<string> | undefined;

/**
 * The compiled form of a source file of src/ or of a child program (`src/cli/main.ts`,
 * `test/engine/engine-child.ts`), from a build made once per test file: its sources do not
 * change while it runs.
 */
export async function compiled(sourceFile: string): Promise<string> {
  if (!sourceFile.startsWith("src/") && !CHILD_PROGRAMS.includes(sourceFile)) {
    throw new Error(`${sourceFile} is not compiled for the tests: add it to CHILD_PROGRAMS`);
  }
  memo ??= compiledServer();
  return path.join(await memo, sourceFile.replace(/\.ts$/, ".js"));
}
