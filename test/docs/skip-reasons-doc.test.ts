import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { SKIP_REASONS } from "../../src/fan-out/skip-reasons.js";

const DOC = new URL("../../docs/errors.md", import.meta.url);
const SECTION = "## Skip reasons";

/** The reasons the "Skip reasons" section's table lists: the first cell of each row, in backticks. */
function reasonsInDoc(markdown: string): string[] {
  const start = markdown.indexOf(`\n${SECTION}\n`);
  if (start === -1) throw new Error(`docs/errors.md has no "${SECTION}" section`);
  const rest = markdown.slice(start + SECTION.length + 2);
  const end = rest.search(/^## /m);
  const section = end === -1 ? rest : rest.slice(0, end);
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] ?? "");
}

/** Where the doc and the catalogue differ, both ways; two empty lists when they agree. */
function drift(markdown: string, catalogue: readonly string[]) {
  const documented = reasonsInDoc(markdown);
  return {
    undocumented: catalogue.filter((r) => !documented.includes(r)),
    notInCatalogue: documented.filter((r) => !catalogue.includes(r)),
    listedTwice: documented.filter((r, i) => documented.indexOf(r) !== i),
  };
}

const FIXTURE = `# Error codes

| code | HTTP | retry helps | what it means and the fix |
| --- | --- | --- | --- |
| \`SAME_ACCOUNT\` | 400 | no | an error code of that name does not count as a reason |

${SECTION}

| reason | what it means | what to do |
| --- | --- | --- |
| \`REGION_NOT_ALLOWED\` | a | b |
| \`RETIRED_REASON\` | a | b |

## Another section

| \`CONDITION_FALSE\` | a table elsewhere does not count either |
`;

describe("docs/errors.md and the skip-reason catalogue", () => {
  it("list the same reasons, each once", async () => {
    const markdown = await readFile(DOC, "utf8");
    expect(drift(markdown, Object.keys(SKIP_REASONS))).toEqual({
      undocumented: [],
      notInCatalogue: [],
      listedTwice: [],
    });
  });

  it("would be caught differing either way, reading only the Skip reasons table", () => {
    expect(drift(FIXTURE, ["REGION_NOT_ALLOWED", "SAME_ACCOUNT", "CONDITION_FALSE"])).toEqual({
      undocumented: ["SAME_ACCOUNT", "CONDITION_FALSE"],
      notInCatalogue: ["RETIRED_REASON"],
      listedTwice: [],
    });
    expect(
      drift(`${FIXTURE}\n`.replace("RETIRED_REASON", "REGION_NOT_ALLOWED"), ["REGION_NOT_ALLOWED"])
        .listedTwice,
    ).toEqual(["REGION_NOT_ALLOWED"]);
    expect(() => reasonsInDoc("# Error codes\n")).toThrow(/no "## Skip reasons" section/);
  });
});
