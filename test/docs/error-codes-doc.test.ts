import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ERROR_CATALOGUE } from "../../src/errors.js";
import { SKIP_REASONS } from "../../src/fan-out/skip-reasons.js";
import { RUN_OUTCOME_CODES } from "../../src/runs/outcome-codes.js";

const DOC = new URL("../../docs/errors.md", import.meta.url);
const OUTCOMES = "## Run and target outcomes";

interface Row {
  code: string;
  cells: string[];
}

/** The rows of the tables in `text` whose first cell is a code in backticks. */
function rowsOf(text: string): Row[] {
  return [...text.matchAll(/^\| `([^`]+)` \|(.*)\|$/gm)].map((m) => ({
    code: m[1] ?? "",
    cells: (m[2] ?? "").split(" | ").map((c) => c.trim()),
  }));
}

/** The error-code table: everything before the first `## ` section. */
function errorRows(markdown: string): Row[] {
  const end = markdown.search(/^## /m);
  return rowsOf(end === -1 ? markdown : markdown.slice(0, end));
}

/** The rows of one `## ` section, up to the next one. */
function sectionRows(markdown: string, heading: string): Row[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`docs/errors.md has no "${heading}" section`);
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(/^## /m);
  return rowsOf(end === -1 ? rest : rest.slice(0, end));
}

/** Where the doc and a catalogue differ, both ways; three empty lists when they agree. */
function drift(documented: readonly string[], catalogue: readonly string[]) {
  return {
    undocumented: catalogue.filter((c) => !documented.includes(c)),
    notInCatalogue: documented.filter((c) => !catalogue.includes(c)),
    listedTwice: documented.filter((c, i) => documented.indexOf(c) !== i),
  };
}

/** Error codes whose HTTP or "retry helps" cell says something else than the catalogue. */
function misdescribed(rows: readonly Row[]): string[] {
  return rows
    .filter((row) => {
      const entry = (ERROR_CATALOGUE as Record<string, { status: number; retriable: boolean }>)[
        row.code
      ];
      if (entry === undefined) return false;
      const [status, retry] = row.cells;
      return status !== String(entry.status) || retry !== (entry.retriable ? "yes" : "no");
    })
    .map((row) => row.code);
}

const FIXTURE = `# Error codes

| code | HTTP | retry helps | what it means and the fix |
| --- | --- | --- | --- |
| \`NOT_FOUND\` | 404 | no | a |
| \`RETIRED_CODE\` | 400 | no | b |
| \`RATE_LIMITED\` | 400 | yes | the wrong status |

## Skip reasons

| \`CONFLICT\` | a reason of that name does not count as an error code |

${OUTCOMES}

| code | recorded on | what it means | what to do |
| --- | --- | --- | --- |
| \`RUN_CANCELLED\` | step | a | b |
| \`RUN_CANCELLED\` | target | listed twice | b |

## Another section

| \`OUTCOME_UNKNOWN\` | a table elsewhere does not count |
`;

describe("docs/errors.md and the catalogues", () => {
  it("lists every error code of ERROR_CATALOGUE once, with its status and retry, and no other", async () => {
    const rows = errorRows(await readFile(DOC, "utf8"));
    expect(
      drift(
        rows.map((r) => r.code),
        Object.keys(ERROR_CATALOGUE),
      ),
    ).toEqual({ undocumented: [], notInCatalogue: [], listedTwice: [] });
    expect(misdescribed(rows)).toEqual([]);
  });

  it("lists every run and target outcome of RUN_OUTCOME_CODES once, and no other", async () => {
    const rows = sectionRows(await readFile(DOC, "utf8"), OUTCOMES);
    expect(
      drift(
        rows.map((r) => r.code),
        Object.keys(RUN_OUTCOME_CODES),
      ),
    ).toEqual({ undocumented: [], notInCatalogue: [], listedTwice: [] });
  });

  it("names no outcome as an error code or a skip reason already means something else", () => {
    const taken = [...Object.keys(ERROR_CATALOGUE), ...Object.keys(SKIP_REASONS)];
    expect(Object.keys(RUN_OUTCOME_CODES).filter((c) => taken.includes(c))).toEqual([]);
  });

  it("would be caught differing either way, reading only the right table", () => {
    const errors = errorRows(FIXTURE);
    expect(
      drift(
        errors.map((r) => r.code),
        ["NOT_FOUND", "RATE_LIMITED", "CONFLICT"],
      ),
    ).toEqual({ undocumented: ["CONFLICT"], notInCatalogue: ["RETIRED_CODE"], listedTwice: [] });
    expect(misdescribed(errors)).toEqual(["RATE_LIMITED"]);
    const outcomes = sectionRows(FIXTURE, OUTCOMES).map((r) => r.code);
    expect(drift(outcomes, ["RUN_CANCELLED", "STEP_TIMED_OUT"])).toEqual({
      undocumented: ["STEP_TIMED_OUT"],
      notInCatalogue: [],
      listedTwice: ["RUN_CANCELLED"],
    });
    expect(() => sectionRows("# Error codes\n", OUTCOMES)).toThrow(
      /no "## Run and target outcomes" section/,
    );
  });
});
