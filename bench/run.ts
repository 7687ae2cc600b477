import { readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

type BenchModule = { run?: () => Promise<void> };

// Runs every bench/*.bench.ts module's run() in turn; each prints its own figures.
const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = (await readdir(here))
  .filter((f) => f.endsWith(".bench.ts") && (only === undefined || f.includes(only)))
  .sort();
for (const file of files) {
  const module = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
  if (typeof module.run !== "function") throw new Error(`${file} does not export run()`);
  process.stdout.write(`\n# ${file}\n`);
  await module.run();
}
