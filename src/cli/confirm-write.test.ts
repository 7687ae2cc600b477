import { describe, expect, it } from "vitest";
import type { RunPlan } from "../actions/index.js";
import { confirmWrite, type ConfirmDeps } from "./confirm-write.js";

const plan = (write: boolean, runs = 3): RunPlan => ({
  action: "aws.call",
  iamActions: ["ec2:TerminateInstances"],
  accessLevel: write ? "Write" : "List",
  write,
  single: false,
  everyConnection: false,
  summary: { total: runs + 1, runs, refused: 1, skipped: 0 },
  targets: [
    ...Array.from({ length: runs }, (_, i) => ({
      connection: `prod-${i}`,
      accountId: `11111111111${i}`,
      region: "eu-west-1",
      outcome: "runs" as const,
    })),
    {
      connection: "audit",
      accountId: "222222222222",
      region: "eu-west-1",
      outcome: "refused" as const,
      code: "ACCESS_REFUSED",
      reason: "not with access read",
    },
  ],
});

function terminal(answer: string | null, interactive = true) {
  const asked: string[] = [];
  let written = "";
  const deps: ConfirmDeps = {
    interactive,
    ask: (question) => {
      asked.push(question);
      return Promise.resolve(answer ?? "");
    },
    write: (text) => {
      written += text;
    },
  };
  return { deps, asked, written: () => written };
}

describe("confirming a write", () => {
  it("shows the plan on a terminal and runs when the number of targets is typed", async () => {
    const term = terminal("3\n");
    await confirmWrite(plan(true), false, term.deps);
    expect(term.asked).toEqual(["Type 3 to run it on 3 targets (anything else cancels): "]);
    expect(term.written()).toContain(
      "aws.call: ec2:TerminateInstances (access level Write), which can change something",
    );
    expect(term.written()).toMatch(/^ {2}runs {4}prod-0 +111111111110 eu-west-1$/m);
    expect(term.written()).toMatch(/^ {2}refused audit .* ACCESS_REFUSED: not with access read$/m);
    expect(term.written()).toContain("4 targets: 3 would run, 1 refused, 0 skipped");
  });

  it("cancels on any other answer, a y included", async () => {
    for (const answer of ["y", "", "4", "yes"]) {
      await expect(confirmWrite(plan(true), false, terminal(answer).deps)).rejects.toThrow(
        "cancelled: nothing was run",
      );
    }
  });

  it("refuses without a terminal unless --yes", async () => {
    const term = terminal(null, false);
    await expect(confirmWrite(plan(true), false, term.deps)).rejects.toThrow(
      "aws.call can change something (ec2:TerminateInstances, access level Write) on 3 targets: run it on a terminal to confirm, or pass --yes",
    );
    await confirmWrite(plan(true), true, term.deps);
    expect(term.asked).toEqual([]);
  });

  it("asks nothing for a read, or a write no target would run", async () => {
    const term = terminal(null, false);
    await confirmWrite(plan(false), false, term.deps);
    await confirmWrite(plan(true, 0), false, term.deps);
    expect(term.asked).toEqual([]);
    expect(term.written()).toBe("");
  });
});
