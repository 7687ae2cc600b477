import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { useExternalId } from "../helpers/demo-setup.js";
import {
  REGIONS,
  accountId,
  engineStage,
  saveWorkflow,
  startWorkflow,
  waitForRun,
  type EngineStage,
} from "./engine-world.js";

const MEMBERS = 20;

interface TargetPage {
  items: {
    idx: number;
    connection: string;
    accountId: string | null;
    region: string;
    status: string;
    attempt: number;
    awsSession?: string;
  }[];
  nextCursor: string | null;
}

/** The calls of one operation per "account|region", as the emulator counted them since `before`. */
function callsSince(
  before: Record<string, number>,
  after: Record<string, number>,
  operation: string,
): Map<string, number> {
  const calls = new Map<string, number>();
  for (const [key, n] of Object.entries(after)) {
    if (!key.endsWith(`|${operation}`)) continue;
    const delta = n - (before[key] ?? 0);
    if (delta > 0) calls.set(key.slice(0, -operation.length - 1), delta);
  }
  return calls;
}

describeEachDatabase("a workflow fan-out over 20 connections × 3 regions", (suite) => {
  let stage: EngineStage;
  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, MEMBERS);
  });
  afterAll(async () => {
    await stage.close();
  });

  it("runs 60 targets, calls each (account, region) once, and pages them 25 at a time", async () => {
    await saveWorkflow(
      stage.t,
      `name: fan-out-sixty
steps:
  - id: clusters
    action: aws.ecs.listClusters
    connections: "*"
    regions: [${REGIONS.join(", ")}]
`,
    );
    const before = stage.emulator.counters().byAccountRegionOperation;
    const id = await startWorkflow(stage.t, "fan-out-sixty");
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(run.steps.map((s) => [s.id, s.status, s.targetCount])).toEqual([
      ["clusters", "succeeded", 60],
    ]);
    expect(run.steps[0]?.summary).toMatchObject({ total: 60, succeeded: 60, failed: 0 });

    const calls = callsSince(
      before,
      stage.emulator.counters().byAccountRegionOperation,
      "ecs:ListClusters",
    );
    const expected = new Map<string, number>();
    for (let i = 1; i <= MEMBERS; i++)
      for (const region of REGIONS) expected.set(`${accountId(i)}|${region}`, 1);
    expect(calls).toEqual(expected);

    // Three pages of 25, 25 and 10, in index order, each target once.
    const pages: TargetPage[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `step=clusters&limit=25${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
      const response = await stage.t.call("GET", `/api/v1/runs/${id}/targets?${query}`);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json<TargetPage>();
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 10);
    expect(pages.map((p) => p.items.length)).toEqual([25, 25, 10]);
    const targets = pages.flatMap((p) => p.items);
    const idxs = targets.map((t) => t.idx);
    expect(idxs).toEqual([...idxs].sort((a, b) => a - b));
    expect(new Set(idxs).size).toBe(60);
    // member-i is account i: the targets are the (account, region) pairs AWS was called for.
    expect(
      new Set(targets.map((t) => `${accountId(Number(t.connection.slice(7)))}|${t.region}`)),
    ).toEqual(new Set(expected.keys()));
    expect(targets.every((t) => t.status === "succeeded" && t.attempt === 1)).toBe(true);

    const succeeded = await stage.t.call(
      "GET",
      `/api/v1/runs/${id}/targets?step=clusters&status=succeeded&limit=100`,
    );
    expect(succeeded.json<TargetPage>().items).toHaveLength(60);
    const failed = await stage.t.call(
      "GET",
      `/api/v1/runs/${id}/targets?step=clusters&status=failed&limit=100`,
    );
    expect(failed.json<TargetPage>()).toEqual({ items: [], nextCursor: null });
    const unknownStep = await stage.t.call("GET", `/api/v1/runs/${id}/targets?step=nope`);
    expect(unknownStep.statusCode).toBe(404);
    // A cursor of another list (the runs', which pages by run id) is refused, not a 500.
    const foreign = Buffer.from(JSON.stringify({ k: id }), "utf8").toString("base64url");
    const refused = await stage.t.call(
      "GET",
      `/api/v1/runs/${id}/targets?step=clusters&cursor=${foreign}`,
    );
    expect(refused.statusCode, refused.body).toBe(400);
  });

  it("names a run's AWS session for the user and the run (CloudTrail's userIdentity.arn)", async () => {
    // Connections of its own: the credential cache shares a session between runs of one user.
    for (const i of [1, 2]) {
      const created = await stage.t.call("POST", "/api/v1/connections", {
        body: {
          name: `session-names-${i}`,
          method: "assume_role",
          roleArn: `arn:aws:iam::${accountId(i)}:role/switchboard-read`,
          endpoint: stage.emulator.url,
          regions: REGIONS,
        },
      });
      expect(created.statusCode, created.body).toBe(201);
    }
    await useExternalId(suite.handle().db, "sb-engine-external-id");
    await saveWorkflow(
      stage.t,
      `name: fan-out-session-names
steps:
  - id: instances
    action: aws.ec2.describeInstances
    connections: [session-names-1, session-names-2]
    regions: [us-east-1]
`,
    );
    const callersBefore = stage.emulator.counters().byCaller;
    const id = await startWorkflow(stage.t, "fan-out-session-names");
    const run = await waitForRun(stage.t, id);
    const session = `sb-admin-run_${id.slice(-12)}`;
    const targets = (
      await stage.t.call("GET", `/api/v1/runs/${id}/targets?step=instances`)
    ).json<TargetPage>().items;
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(targets.map((t) => [t.connection, t.awsSession])).toEqual([
      ["session-names-1", session],
      ["session-names-2", session],
    ]);
    // And AWS saw the calls under that session.
    const callers = stage.emulator.counters().byCaller;
    for (const i of [1, 2]) {
      const arn = `arn:aws:sts::${accountId(i)}:assumed-role/switchboard-read/${session}`;
      expect((callers[arn] ?? 0) - (callersBefore[arn] ?? 0), arn).toBeGreaterThan(0);
    }
  });
});
