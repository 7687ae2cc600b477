import { afterAll, beforeAll, expect, it } from "vitest";
import { interruptOrphanedRuns, LEASE_MS } from "../../src/actions/run-owners.js";
import { newId } from "../../src/ids.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

/** Several servers on one PostgreSQL (or SQLite file): which runs a starting server may take. */
describeEachDatabase("runs of other servers", (suite) => {
  let t: TestApp;
  let orgId: string;
  const start = Date.parse("2026-05-01T10:00:00.000Z");
  const self = { id: newId(), host: "this-host", pid: process.pid };

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    orgId = (await suite.handle().db.selectFrom("orgs").select("id").executeTakeFirstOrThrow()).id;
  });
  afterAll(() => t.close());

  async function serverWithRun(server: { host: string; pid: number; heartbeatAt: number }) {
    const db = suite.handle().db;
    const owner = newId();
    await db
      .insertInto("server_instances")
      .values({
        id: owner,
        host: server.host,
        pid: server.pid,
        started_at: new Date(start).toISOString(),
        heartbeat_at: new Date(server.heartbeatAt).toISOString(),
      })
      .execute();
    const runId = newId();
    await db
      .insertInto("runs")
      .values({
        id: runId,
        org_id: orgId,
        kind: "action",
        action_id: "aws.ec2.describeVpcs",
        actor: "user:admin",
        status: "running",
        input: "{}",
        target_count: 3,
        started_at: new Date(start).toISOString(),
        finished_at: null,
        duration_ms: null,
        summary: null,
        owner_id: owner,
      })
      .execute();
    return runId;
  }

  const statusOf = async (runId: string) =>
    (
      await suite
        .handle()
        .db.selectFrom("runs")
        .select("status")
        .where("id", "=", runId)
        .executeTakeFirstOrThrow()
    ).status;

  it("leaves the running runs of a server on another host alone while its heartbeat is fresh, and interrupts them once its lease has expired", async () => {
    const runId = await serverWithRun({ host: "other-host", pid: 4242, heartbeatAt: start });
    const at = (ms: number) => ({ now: () => new Date(start + ms) });

    expect(await interruptOrphanedRuns(suite.handle().db, at(LEASE_MS - 1), self)).not.toContain(
      runId,
    );
    expect(await statusOf(runId)).toBe("running");

    expect(await interruptOrphanedRuns(suite.handle().db, at(LEASE_MS + 1), self)).toContain(runId);
    expect(await statusOf(runId)).toBe("interrupted");
    // Interrupted once: a second server starting does it no more.
    expect(await interruptOrphanedRuns(suite.handle().db, at(LEASE_MS + 2), self)).not.toContain(
      runId,
    );
    const events = (
      await t.call("GET", `/api/v1/audit?action=action.run.interrupted&objectId=${runId}`)
    ).json<{ items: { actor: string; outcome: string; detail: Record<string, unknown> }[] }>()
      .items;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: "system",
      outcome: "failure",
      detail: { server: "other-host pid 4242", targets: 3, recorded: 0 },
    });
  });

  it("interrupts at once the runs of an earlier process of this host whose pid is now this process's own", async () => {
    // As after a container restart: the server is pid 1 again, with a heartbeat seconds old.
    const runId = await serverWithRun({ host: self.host, pid: self.pid, heartbeatAt: start });
    expect(
      await interruptOrphanedRuns(suite.handle().db, { now: () => new Date(start + 1000) }, self),
    ).toContain(runId);
    expect(await statusOf(runId)).toBe("interrupted");
  });
});
