import { createHmac } from "node:crypto";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateToLatest, type DbHandle } from "../../src/db/index.js";
import { migrateTo } from "../../src/db/migrate.js";
import {
  createTestDatabase,
  describeEachDatabase,
  DIALECTS,
  type TestDatabase,
} from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

interface RunView {
  status: string;
  actor: string;
  runAs: string | null;
}

// Runs, workflows and their versions keep who acted by user id (the name only for display):
// a user deleted and created again under the same name is someone else. And a webhook secret
// starts runs as whoever the workflow's trigger runs as, so a save that changes who that is
// rotates it.
describeEachDatabase("runs and workflows keep their users by id", (suite) => {
  let t: TestApp;
  let counter = 0;
  const unique = (base: string) => `${base}-${++counter}-${suite.dialect.slice(0, 2)}`;

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
  });
  afterAll(() => t.close());

  async function save(token: string | undefined, definition: string) {
    return t.call("POST", "/api/v1/workflows", {
      ...(token === undefined ? {} : { token }),
      body: definition,
      headers: { "content-type": "application/yaml" },
    });
  }

  async function start(token: string, workflow: string): Promise<string> {
    const started = await t.call("POST", `/api/v1/workflows/${workflow}/runs`, {
      token,
      body: { inputs: {} },
    });
    expect(started.statusCode, started.body).toBe(202);
    return started.json<{ id: string }>().id;
  }

  async function settled(id: string, until: (run: RunView) => boolean): Promise<RunView> {
    for (;;) {
      const response = await t.call("GET", `/api/v1/runs/${id}`);
      expect(response.statusCode, response.body).toBe(200);
      const run = response.json<RunView>();
      if (until(run)) return run;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const finished = (run: RunView) => !["queued", "running"].includes(run.status);

  // Each delivery signs another timestamp: the same one twice is refused as a replay.
  let secondsAgo = 0;
  function deliver(workflow: string, secret: string) {
    const body = JSON.stringify({ inputs: {} });
    const timestamp = String(Math.floor(Date.now() / 1000) - (secondsAgo++ % 200));
    return t.call("POST", `/api/v1/hooks/default/${workflow}`, {
      token: null,
      body,
      headers: {
        "content-type": "application/json",
        "x-switchboard-timestamp": timestamp,
        "x-switchboard-signature": sign(secret, timestamp, body),
      },
    });
  }

  it("a user created again under a deleted user's name sees, cancels and redrives none of the old one's runs", async () => {
    const name = unique("carol");
    const carol = await signInAsMember(t, name);
    const failing = unique("fails");
    expect(
      (
        await save(
          carol,
          `name: ${failing}\nsteps:\n  - id: n\n    transform: \${{ $number("x") }}\n`,
        )
      ).statusCode,
    ).toBe(200);
    const waiting = unique("waits");
    expect(
      (
        await save(
          carol,
          `name: ${waiting}\nsteps:\n  - id: ask\n    approval: { message: "go?" }\n  - id: one\n    transform: \${{ 1 }}\n`,
        )
      ).statusCode,
    ).toBe(200);
    const failed = await start(carol, failing);
    expect((await settled(failed, finished)).status).toBe("failed");
    const open = await start(carol, waiting);
    await settled(open, (run) => run.status === "waiting");

    // The old user sees both, with their targets.
    const listed = await t.call("GET", "/api/v1/runs?limit=500", { token: carol });
    expect(listed.json<{ items: { id: string }[] }>().items.map((r) => r.id)).toEqual(
      expect.arrayContaining([failed, open]),
    );
    for (const id of [failed, open]) {
      expect((await t.call("GET", `/api/v1/runs/${id}`, { token: carol })).statusCode).toBe(200);
      expect((await t.call("GET", `/api/v1/runs/${id}/targets`, { token: carol })).statusCode).toBe(
        200,
      );
    }

    expect((await t.call("DELETE", `/api/v1/users/${name}`)).statusCode).toBe(204);
    const again = await signInAsMember(t, name);

    const runs = await t.call("GET", "/api/v1/runs?limit=500", { token: again });
    expect(runs.statusCode, runs.body).toBe(200);
    const ids = runs.json<{ items: { id: string }[] }>().items.map((r) => r.id);
    expect(ids).not.toContain(failed);
    expect(ids).not.toContain(open);
    for (const id of [failed, open]) {
      for (const path of [`/api/v1/runs/${id}`, `/api/v1/runs/${id}/targets`]) {
        const response = await t.call("GET", path, { token: again });
        expect(response.statusCode, `${path}: ${response.body}`).toBe(404);
      }
    }
    const redrive = await t.call("POST", `/api/v1/runs/${failed}/redrive`, { token: again });
    expect(redrive.statusCode, redrive.body).toBe(404);
    const cancel = await t.call("POST", `/api/v1/runs/${open}/cancel`, { token: again });
    expect(cancel.statusCode, cancel.body).toBe(404);
    // Nothing was done to them: the admins still see them as they were.
    expect((await settled(open, () => true)).status).toBe("waiting");
    const old = await settled(failed, () => true);
    expect(old).toMatchObject({ status: "failed", actor: `user:${name}` });

    // The newcomer's own runs are theirs.
    const own = unique("own");
    expect(
      (await save(again, `name: ${own}\nsteps:\n  - id: n\n    transform: \${{ 1 }}\n`)).statusCode,
    ).toBe(200);
    const mine = await start(again, own);
    expect((await settled(mine, finished)).status).toBe("succeeded");
    const detail = await t.call("GET", `/api/v1/runs/${mine}`, { token: again });
    expect(detail.statusCode, detail.body).toBe(200);
    expect(detail.json<RunView>()).toMatchObject({ actor: `user:${name}`, runAs: name });
    await t.call("POST", `/api/v1/runs/${open}/cancel`);
  });

  it("a user created again under a deleted user's name does not change, restore, delete or rotate the old one's org workflow", async () => {
    const name = unique("dora");
    const dora = await signInAsMember(t, name);
    const workflow = unique("dora-hook");
    const definition = `name: ${workflow}\nsteps:\n  - id: n\n    transform: \${{ 1 }}\ntriggers:\n  - webhook: {}\n`;
    const saved = await save(dora, definition);
    expect(saved.statusCode, saved.body).toBe(200);
    const secret = saved.json<{ webhookSecret: string }>().webhookSecret;

    expect((await t.call("DELETE", `/api/v1/users/${name}`)).statusCode).toBe(204);
    const again = await signInAsMember(t, name);

    const resave = await save(again, `${definition}description: taken over\n`);
    expect(resave.statusCode, resave.body).toBe(403);
    for (const [method, path] of [
      ["POST", `/api/v1/workflows/${workflow}/versions/1/restore`],
      ["POST", `/api/v1/workflows/${workflow}/webhook/rotate`],
      ["DELETE", `/api/v1/workflows/${workflow}`],
    ] as const) {
      const response = await t.call(method, path, { token: again });
      expect([403, 404], `${method} ${path}: ${response.body}`).toContain(response.statusCode);
    }
    const still = await t.call("GET", `/api/v1/workflows/${workflow}`);
    expect(still.statusCode, still.body).toBe(200);
    expect(still.json<{ version: number }>().version).toBe(1);

    // Its editor is gone: the old secret starts nothing, and never as the newcomer.
    const refused = await deliver(workflow, secret);
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.body).toContain("no longer exists");
  });

  it("an admin's save of a member's webhook workflow rotates its secret: the member's old one stops at once", async () => {
    const name = unique("bob");
    const bob = await signInAsMember(t, name);
    const workflow = unique("bob-hook");
    const definition = `name: ${workflow}\nsteps:\n  - id: n\n    transform: \${{ 1 }}\ntriggers:\n  - webhook: {}\n`;
    const saved = await save(bob, definition);
    expect(saved.statusCode, saved.body).toBe(200);
    const bobs = saved.json<{ webhookSecret: string }>().webhookSecret;

    // Bob's own save keeps who the webhook runs as, and so the secret.
    const own = await save(bob, `${definition}description: again\n`);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json<{ webhookSecret?: string }>().webhookSecret).toBeUndefined();
    const byBob = await deliver(workflow, bobs);
    expect(byBob.statusCode, byBob.body).toBe(202);
    expect(await settled(byBob.json<{ id: string }>().id, finished)).toMatchObject({
      status: "succeeded",
      actor: "webhook",
      runAs: name,
    });

    const admins = await save(undefined, `${definition}description: reviewed by an admin\n`);
    expect(admins.statusCode, admins.body).toBe(200);
    const rotated = admins.json<{ webhookSecret?: string }>().webhookSecret ?? "";
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(bobs);

    const old = await deliver(workflow, bobs);
    expect(old.statusCode, old.body).toBe(401);
    expect(old.json<{ error: { code: string } }>().error.code).toBe("WEBHOOK_SIGNATURE_INVALID");
    const byAdmin = await deliver(workflow, rotated);
    expect(byAdmin.statusCode, byAdmin.body).toBe(202);
    const adminRun = await settled(byAdmin.json<{ id: string }>().id, finished);
    expect(adminRun.status).toBe("succeeded");
    expect(adminRun.runAs).not.toBe(name);

    // Bob saves it back: it runs as him again, and the admin's secret stops.
    const back = await save(bob, `${definition}description: mine again\n`);
    expect(back.statusCode, back.body).toBe(200);
    const bobsNew = back.json<{ webhookSecret?: string }>().webhookSecret ?? "";
    expect(bobsNew).toMatch(/^whsec_/);
    expect((await deliver(workflow, rotated)).statusCode).toBe(401);
    const again = await deliver(workflow, bobsNew);
    expect(again.statusCode, again.body).toBe(202);
    expect((await settled(again.json<{ id: string }>().id, finished)).runAs).toBe(name);

    const audit = await t.call(
      "GET",
      `/api/v1/audit?action=workflow.save&objectId=${workflow}&limit=50`,
    );
    expect(audit.statusCode, audit.body).toBe(200);
    const details = audit
      .json<{ items: { detail: Record<string, unknown> }[] }>()
      .items.map((e) => e.detail);
    expect(details.filter((d) => d.webhookSecretRotated === true)).toHaveLength(2);
  });

  it("another project member's save of a project's webhook workflow rotates its secret", async () => {
    const ann = unique("ann");
    const ben = unique("ben");
    const annToken = await signInAsMember(t, ann);
    const benToken = await signInAsMember(t, ben);
    const project = unique("hooks");
    const created = await t.call("POST", "/api/v1/projects", {
      body: { name: project, members: [`user:${ann}`, `user:${ben}`] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const workflow = unique("project-hook");
    const definition = `name: ${workflow}\nsteps:\n  - id: n\n    transform: \${{ 1 }}\ntriggers:\n  - webhook: {}\n`;
    const saveIn = (token: string, text: string) =>
      t.call("POST", `/api/v1/workflows?project=${project}`, {
        token,
        body: text,
        headers: { "content-type": "application/yaml" },
      });
    const first = await saveIn(annToken, definition);
    expect(first.statusCode, first.body).toBe(200);
    const annSecret = first.json<{ webhookSecret: string }>().webhookSecret;

    const bens = await saveIn(benToken, `${definition}description: ben was here\n`);
    expect(bens.statusCode, bens.body).toBe(200);
    const benSecret = bens.json<{ webhookSecret?: string }>().webhookSecret ?? "";
    expect(benSecret).toMatch(/^whsec_/);
    expect((await deliver(workflow, annSecret)).statusCode).toBe(401);
    const byBen = await deliver(workflow, benSecret);
    expect(byBen.statusCode, byBen.body).toBe(202);
    expect((await settled(byBen.json<{ id: string }>().id, finished)).runAs).toBe(ben);
  });

  it("a run started for another user (runAs) stays visible to its starter by id, after they stop being an admin", async () => {
    const starterName = unique("sam");
    const sam = await signInAsMember(t, starterName);
    const memberName = unique("mia");
    const mia = await signInAsMember(t, memberName);
    const other = await signInAsMember(t, unique("oli"));
    const promote = await t.call("PATCH", `/api/v1/users/${starterName}`, {
      body: { role: "admin" },
    });
    expect(promote.statusCode, promote.body).toBe(200);
    const workflow = unique("as-mia");
    expect(
      (
        await save(
          sam,
          `name: ${workflow}\nrunAs: ${memberName}\nsteps:\n  - id: n\n    transform: \${{ 1 }}\n`,
        )
      ).statusCode,
    ).toBe(200);
    const id = await start(sam, workflow);
    expect(await settled(id, finished)).toMatchObject({
      status: "succeeded",
      actor: `user:${starterName}`,
      runAs: memberName,
    });
    const demote = await t.call("PATCH", `/api/v1/users/${starterName}`, {
      body: { role: "member" },
    });
    expect(demote.statusCode, demote.body).toBe(200);

    const stored = await suite
      .handle()
      .db.selectFrom("runs")
      .innerJoin("users as starter", "starter.id", "runs.started_by_user_id")
      .innerJoin("users as runner", "runner.id", "runs.run_as_user_id")
      .select(["starter.name as startedBy", "runner.name as runsAs"])
      .where("runs.id", "=", id)
      .executeTakeFirst();
    expect(stored).toEqual({ startedBy: starterName, runsAs: memberName });
    for (const token of [sam, mia]) {
      expect((await t.call("GET", `/api/v1/runs/${id}`, { token })).statusCode).toBe(200);
    }
    expect((await t.call("GET", `/api/v1/runs/${id}`, { token: other })).statusCode).toBe(404);
  });
});

describe.each(DIALECTS)("upgrading runs and workflows to user ids [%s]", (dialect) => {
  let database: TestDatabase | undefined;
  let handle: DbHandle | undefined;
  afterEach(async () => {
    await handle?.destroy();
    await database?.dispose();
  });

  it("maps each name to the user of that org who existed then, and a vanished or re-created name to nothing", async () => {
    database = await createTestDatabase(dialect);
    handle = createDb(database.config);
    const db = handle.db;
    await migrateTo(db, "0021-principal-ids");
    const t0 = "2026-01-01T00:00:00.000Z";
    const t1 = "2026-02-01T00:00:00.000Z";
    const t2 = "2026-03-01T00:00:00.000Z";
    await sql`insert into orgs (id, name, created_at) values ('org-1', 'default', ${t0}), ('org-2', 'other', ${t0})`.execute(
      db,
    );
    // alice since t0; carol created again at t2 (the carol of t1 was deleted); alice of org-2.
    await sql`insert into users (id, org_id, name, role, created_at, updated_at) values
      ('u-alice', 'org-1', 'alice', 'member', ${t0}, ${t0}),
      ('u-carol-new', 'org-1', 'carol', 'member', ${t2}, ${t2}),
      ('u-alice-2', 'org-2', 'alice', 'member', ${t0}, ${t0})`.execute(db);
    for (const [id, actor] of [
      ["r-alice", "user:alice"],
      ["r-carol", "user:carol"],
      ["r-gone", "user:gone"],
      ["r-webhook", "webhook"],
    ] as const) {
      await sql`insert into runs (id, org_id, kind, action_id, actor, status, input, target_count, started_at, cancel_requested)
        values (${id}, 'org-1', 'workflow', '', ${actor}, 'succeeded', '{}', 0, ${t1}, 0)`.execute(
        db,
      );
    }
    for (const [id, by] of [
      ["w-alice", "user:alice"],
      ["w-carol", "user:carol"],
    ] as const) {
      await sql`insert into workflows (id, org_id, project_id, name, current_version, run_as_user_id, created_by, created_at, updated_at)
        values (${id}, 'org-1', null, ${id}, 2, null, ${by}, ${t1}, ${t1})`.execute(db);
    }
    for (const [workflow, version, by, at] of [
      ["w-alice", 1, "user:alice", t1],
      ["w-alice", 2, "user:carol", t1],
      ["w-carol", 1, "user:carol", t1],
      ["w-carol", 2, "user:carol", t2],
    ] as const) {
      await sql`insert into workflow_versions (workflow_id, version, definition, source, format, created_by, created_at)
        values (${workflow}, ${version}, '{}', '', 'yaml', ${by}, ${at})`.execute(db);
    }

    await migrateToLatest(db);
    const runs = await sql<{
      id: string;
      started_by_user_id: string | null;
    }>`select id, started_by_user_id from runs order by id`.execute(db);
    expect(runs.rows).toEqual([
      { id: "r-alice", started_by_user_id: "u-alice" },
      { id: "r-carol", started_by_user_id: null },
      { id: "r-gone", started_by_user_id: null },
      { id: "r-webhook", started_by_user_id: null },
    ]);
    const workflows = await sql<{
      id: string;
      created_by_user_id: string | null;
    }>`select id, created_by_user_id from workflows order by id`.execute(db);
    expect(workflows.rows).toEqual([
      { id: "w-alice", created_by_user_id: "u-alice" },
      { id: "w-carol", created_by_user_id: null },
    ]);
    const versions = await sql<{
      workflow_id: string;
      version: number;
      created_by_user_id: string | null;
    }>`select workflow_id, version, created_by_user_id from workflow_versions order by workflow_id, version`.execute(
      db,
    );
    expect(versions.rows).toEqual([
      { workflow_id: "w-alice", version: 1, created_by_user_id: "u-alice" },
      { workflow_id: "w-alice", version: 2, created_by_user_id: null },
      { workflow_id: "w-carol", version: 1, created_by_user_id: null },
      { workflow_id: "w-carol", version: 2, created_by_user_id: "u-carol-new" },
    ]);
  });
});
