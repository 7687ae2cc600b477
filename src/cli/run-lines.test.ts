import { describe, expect, it } from "vitest";
import type { RunDetail } from "../runs/index.js";
import { waitLines } from "./run-lines.js";

function waitingRun(approval: Record<string, unknown>): RunDetail {
  const step = {
    id: "gate",
    kind: "approval",
    status: "waiting",
    approval: { grant: "executor", waitUntil: null, decidedBy: null, reason: null, ...approval },
  };
  return { id: "r1", steps: [step] } as unknown as RunDetail;
}

describe("waitLines", () => {
  it("names the connections that decide, as the run fixed them, over the approval's own text", () => {
    const [line] = waitLines(
      waitingRun({ connection: "${{ inputs.env }}", deciders: ["prod-a", "prod-b"] }),
    );
    expect(line).toBe(
      "waiting for approval of step gate by a holder of executor on prod-a, prod-b",
    );
  });

  it("says when only an org admin decides, and cuts a long list", () => {
    expect(waitLines(waitingRun({ deciders: [] }))[0]).toBe(
      "waiting for approval of step gate by a holder of executor on no connection (an org admin decides)",
    );
    const many = Array.from({ length: 7 }, (_, i) => `c${i}`);
    expect(waitLines(waitingRun({ deciders: many }))[0]).toBe(
      "waiting for approval of step gate by a holder of executor on c0, c1, c2, c3, c4 and 2 more",
    );
  });
});
