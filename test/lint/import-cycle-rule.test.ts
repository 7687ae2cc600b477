import path from "node:path";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { beforeAll, describe, expect, it } from "vitest";

// The repo's own eslint.config.js, run on files that must fail it. Before this test, no-cycle
// resolved no `./x.js` specifier to its `x.ts` file and so reported nothing, ever.
const ROOT = path.resolve(import.meta.dirname, "../..");
const FIXTURE = "test/fixtures/lint-cycle";

describe("eslint.config.js import rules", () => {
  const messagesByFile = new Map<string, ESLint.LintResult["messages"]>();

  beforeAll(async () => {
    // ignore: false: the normal run skips the fixture folder (asserted below). The import rules
    // need no type information: without it, no TypeScript program is built for the whole repo.
    const eslint = new ESLint({
      cwd: ROOT,
      ignore: false,
      overrideConfig: tseslint.configs.disableTypeChecked,
    });
    for (const result of await eslint.lintFiles([FIXTURE])) {
      messagesByFile.set(path.relative(path.join(ROOT, FIXTURE), result.filePath), result.messages);
    }
  });

  function ruleHits(file: string, ruleId: string): ESLint.LintResult["messages"] {
    const messages = messagesByFile.get(file);
    if (messages === undefined) throw new Error(`${file} was not linted`);
    return messages.filter((m) => m.ruleId === ruleId && m.severity === 2);
  }

  it("reports an import cycle between two .ts files imported as ./x.js", () => {
    expect(ruleHits("cycle-a.ts", "import-x/no-cycle")).toHaveLength(1);
    expect(ruleHits("cycle-b.ts", "import-x/no-cycle")).toHaveLength(1);
  });

  it("reports an import that reaches past a feature's index.ts", () => {
    const [hit, ...more] = ruleHits("src/http/deep-import.ts", "import-x/no-restricted-paths");
    expect(more).toHaveLength(0);
    expect(hit?.message).toContain("Import the access feature through its index.js");
  });

  it("reports a deep import spelled ./feature/x.js from a top-level file", () => {
    expect(ruleHits("src/root-deep-import.ts", "import-x/no-restricted-paths")).toHaveLength(1);
  });

  it("lets a feature be imported through its index.ts and its table types", () => {
    expect(messagesByFile.get("src/http/through-index.ts")).toEqual([]);
  });

  it("keeps the fixture out of the normal lint run", async () => {
    const eslint = new ESLint({ cwd: ROOT });
    expect(await eslint.isPathIgnored(path.join(ROOT, FIXTURE, "cycle-a.ts"))).toBe(true);
  });

  it("holds src/ to the same feature zones as the fixture", async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const config = (await eslint.calculateConfigForFile(path.join(ROOT, "src/main.ts"))) as {
      rules: Record<string, [unknown, { zones: { from: string }[] }]>;
    };
    const zones = config.rules["import-x/no-restricted-paths"]?.[1].zones ?? [];
    const froms = zones.map((z) => z.from);
    expect(froms).toContain("src/access/**");
    expect(froms).toContain("test/fixtures/lint-cycle/src/access/**");
  });
});
