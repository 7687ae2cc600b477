import { describe, expect, it } from "vitest";
import type { RunDetail, RunStep } from "../runs/index.js";
import type { ApiClient } from "./api-client.js";
import { exitCodeOf, followRun } from "./follow-run.js";

function step(id: string, over: Partial<RunStep>): RunStep {
  return {
    idx: 0,
    id,
    kind: "action",
    status: "pending",
    attempt: 1,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    targetCount: 0,
    settledCount: 0,
    summary: null,
    ...over,
  };
}

function run(status: RunDetail["status"], steps: RunStep[]): RunDetail {
  return {
    id: "r1",
    kind: "workflow",
    actionId: null,
    workflow: { name: "wf", version: 2 },
    actor: "user:admin",
    runAs: "admin",
    trigger: "manual",
    status,
    targetCount: 4,
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: status === "running" || status === "waiting" ? null : "2026-01-01T00:00:02.000Z",
    durationMs: status === "running" || status === "waiting" ? null : 2000,
    summary: null,
    connections: [],
    input: {},
    steps,
  };
}

const summary = (succeeded: number, failed: number) => ({
  total: 4,
  succeeded,
  failed,
  refused: 0,
  skipped: 0,
  unknown: 0,
  cancelled: 0,
});

/** The run as the server shows it on each poll; the last one is repeated. */
const POLLS: RunDetail[] = [
  run("running", [
    step("list", { status: "running", targetCount: 4, settledCount: 1, summary: summary(1, 0) }),
    step("gate", { kind: "approval" }),
  ]),
  run("running", [
    step("list", { status: "running", targetCount: 4, settledCount: 1, summary: summary(1, 0) }),
    step("gate", { kind: "approval" }),
  ]),
  run("waiting", [
    step("list", {
      status: "partial",
      targetCount: 4,
      settledCount: 4,
      summary: summary(3, 1),
      durationMs: 900,
    }),
    step("gate", {
      kind: "approval",
      status: "waiting",
      approval: {
        grant: "executor",
        connection: "prod",
        waitUntil: null,
        decidedBy: null,
        reason: null,
      },
    }),
  ]),
  run("partial", [
    step("list", {
      status: "partial",
      targetCount: 4,
      settledCount: 4,
      summary: summary(3, 1),
      durationMs: 900,
    }),
    step("gate", { kind: "approval", status: "succeeded", durationMs: 500 }),
  ]),
];

function fakeApi(): ApiClient {
  let poll = 0;
  return {
    url: "http://switchboard.test",
    request: <T>() => Promise.resolve(POLLS[Math.min(poll++, POLLS.length - 1)] as T),
    raw: () => Promise.reject(new Error("not used")),
  };
}

async function follow(tty: boolean): Promise<{ text: string; finished: RunDetail }> {
  let text = "";
  const finished = await followRun(
    {
      api: fakeApi(),
      write: (t) => (text += t),
      tty,
      columns: 200,
      intervalMs: 1,
      sleep: () => Promise.resolve(),
    },
    "r1",
  );
  return { text, finished };
}

describe("followRun", () => {
  it("appends a line only when a step changes when the output is not a terminal", async () => {
    const { text, finished } = await follow(false);
    expect(text).not.toContain("\x1b[");
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("run r1 (wf v2)");
    expect(
      lines.filter((l) => /^list\s+action\s+running\s+1\/4 targets, 0 failed/.test(l)),
    ).toHaveLength(1);
    expect(text).toMatch(/^list\s+action\s+partial\s+4\/4 targets, 1 failed\s+900ms$/m);
    expect(text).toMatch(/^waiting for approval of step gate by a holder of executor on prod$/m);
    expect(text).toContain("\n  switchboard approve r1 --step gate   (or: decline r1 --step gate");
    expect(text).toMatch(/^gate\s+approval\s+succeeded\s+500ms$/m);
    expect(lines.at(-1)).toBe("run r1 partial in 2.0s");
    expect(exitCodeOf(finished)).toBe(1);
  });

  it("redraws the step lines in place on a terminal", async () => {
    const { text } = await follow(true);
    // Two step lines drawn, then each later frame moves up over them (four with the wait lines).
    expect(text).toContain("\x1b[2A");
    expect(text).toContain("\x1b[4A");
    expect(text).toContain("\r\x1b[2K");
    expect(text.endsWith("\x1b[Jrun r1 partial in 2.0s\n")).toBe(true);
  });

  it("exits 0 only for a run that succeeded", () => {
    expect(exitCodeOf(run("succeeded", []))).toBe(0);
    for (const status of ["failed", "partial", "cancelled", "interrupted"] as const) {
      expect(exitCodeOf(run(status, []))).toBe(1);
    }
  });
});
