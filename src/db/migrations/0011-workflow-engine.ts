import { sql, type Kysely, type Migration } from "kysely";

/**
 * The workflow engine: a run has steps, a step has targets, and a target's earlier attempts are
 * kept. Workflows are versioned definitions; schedule firings and webhook deliveries are rows so
 * that any number of workers fire a slot once and a replayed delivery is refused.
 *
 * run_targets keeps its primary key (run_id, idx): a step's targets take the next free indexes of
 * the run when the step starts, so existing rows and queries stay as they are.
 */
export const workflowEngine: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("workflows")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
      .addColumn("project_id", "text", (c) => c.references("projects.id").onDelete("cascade"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("current_version", "integer", (c) => c.notNull())
      .addColumn("run_as_user_id", "text")
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("workflows_org_name")
      .unique()
      .on("workflows")
      .columns(["org_id", "name"])
      .execute();

    await db.schema
      .createTable("workflow_versions")
      .addColumn("workflow_id", "text", (c) =>
        c.notNull().references("workflows.id").onDelete("cascade"),
      )
      .addColumn("version", "integer", (c) => c.notNull())
      // The validated definition as JSON, and the text it was written in.
      .addColumn("definition", "text", (c) => c.notNull())
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("format", "text", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("workflow_versions_pk", ["workflow_id", "version"])
      .execute();

    // One row per cron slot fired: the primary key is what makes a slot fire once.
    await db.schema
      .createTable("workflow_firings")
      .addColumn("workflow_id", "text", (c) =>
        c.notNull().references("workflows.id").onDelete("cascade"),
      )
      .addColumn("slot", "text", (c) => c.notNull())
      .addColumn("run_id", "text")
      .addColumn("fired_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("workflow_firings_pk", ["workflow_id", "slot"])
      .execute();

    // A webhook delivery's signature, kept while its timestamp is within the window: a replay of
    // the same request finds it here and is refused.
    await db.schema
      .createTable("webhook_deliveries")
      .addColumn("workflow_id", "text", (c) =>
        c.notNull().references("workflows.id").onDelete("cascade"),
      )
      .addColumn("signature", "text", (c) => c.notNull())
      .addColumn("received_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("webhook_deliveries_pk", ["workflow_id", "signature"])
      .execute();

    await db.schema
      .alterTable("runs")
      .addColumn("workflow_id", "text", (c) => c.references("workflows.id").onDelete("set null"))
      .execute();
    await db.schema.alterTable("runs").addColumn("workflow_name", "text").execute();
    await db.schema.alterTable("runs").addColumn("workflow_version", "integer").execute();
    // The user the run executes as (who started it, or the workflow's runAs).
    await db.schema.alterTable("runs").addColumn("run_as_user_id", "text").execute();
    await db.schema.alterTable("runs").addColumn("trigger", "text").execute();
    await db.schema
      .alterTable("runs")
      .addColumn("cancel_requested", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable("runs").addColumn("error", "text").execute();
    // The input as given, sealed with the key store: workers need it unredacted after a crash.
    await db.schema.alterTable("runs").addColumn("input_sealed", "text").execute();
    // The workflow's timeout: past it, the run stops as a cancel would and fails.
    await db.schema.alterTable("runs").addColumn("deadline_at", "text").execute();
    await db.schema.createIndex("runs_started_idx").on("runs").columns(["started_at"]).execute();
    await db.schema
      .createIndex("runs_workflow_idx")
      .on("runs")
      .columns(["workflow_id", "id"])
      .execute();

    await db.schema
      .createTable("run_steps")
      .addColumn("run_id", "text", (c) => c.notNull().references("runs.id").onDelete("cascade"))
      .addColumn("idx", "integer", (c) => c.notNull())
      .addColumn("step_id", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("attempt", "integer", (c) => c.notNull())
      .addColumn("started_at", "text")
      .addColumn("finished_at", "text")
      .addColumn("duration_ms", "integer")
      .addColumn("first_target_idx", "integer")
      .addColumn("target_count", "integer", (c) => c.notNull())
      .addColumn("settled_count", "integer", (c) => c.notNull())
      .addColumn("summary", "text")
      .addColumn("output", "text")
      .addColumn("error", "text")
      // What the step's targets run (action, service, IAM actions, paging), as JSON.
      .addColumn("plan", "text")
      // The step's resolved input, sealed (see runs.input_sealed).
      .addColumn("input_sealed", "text")
      // An approval's or a retry's deadline.
      .addColumn("wait_until", "text")
      .addColumn("decided_by", "text")
      .addColumn("decision_reason", "text")
      // A forEach's concurrency: at most this many of its targets are sent to the queue at once.
      .addColumn("window", "integer")
      .addPrimaryKeyConstraint("run_steps_pk", ["run_id", "idx"])
      .execute();

    await db.schema
      .alterTable("run_targets")
      .addColumn("step_idx", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable("run_targets")
      .addColumn("attempt", "integer", (c) => c.notNull().defaultTo(1))
      .execute();
    // The (account, region, service) whose calls in flight are bounded across workers.
    await db.schema.alterTable("run_targets").addColumn("bucket", "text").execute();
    // A forEach item's input, sealed; null when the target runs the step's input.
    await db.schema.alterTable("run_targets").addColumn("input_sealed", "text").execute();
    await db.schema.alterTable("run_targets").addColumn("started_at", "text").execute();
    await db.schema.alterTable("run_targets").addColumn("finished_at", "text").execute();
    await db.schema.alterTable("run_targets").addColumn("request_id", "text").execute();
    // The queue job that claimed it: that job, given again after its worker died, knows its own.
    await db.schema.alterTable("run_targets").addColumn("claim_id", "text").execute();
    // When its queue job was sent: a forEach with a concurrency sends the next as one settles.
    await db.schema.alterTable("run_targets").addColumn("sent_at", "text").execute();
    await db.schema
      .createIndex("run_targets_step_idx")
      .on("run_targets")
      .columns(["run_id", "step_idx", "status"])
      .execute();

    await db.schema
      .createTable("run_target_attempts")
      .addColumn("run_id", "text", (c) => c.notNull().references("runs.id").onDelete("cascade"))
      .addColumn("idx", "integer", (c) => c.notNull())
      .addColumn("attempt", "integer", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("duration_ms", "integer", (c) => c.notNull())
      .addColumn("error", "text")
      .addColumn("request_id", "text")
      .addColumn("aws_session", "text")
      .addColumn("finished_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("run_target_attempts_pk", ["run_id", "idx", "attempt"])
      .execute();

    // A run left running by the server before this one cannot resume (its input was not kept):
    // it was interrupted, as run owners marked it.
    await sql`update runs set status = 'interrupted', finished_at = started_at
      where status = 'running'`.execute(db);
    // Runs from before the engine were single actions: each gets its one step.
    await sql`insert into run_steps (run_id, idx, step_id, kind, status, attempt, started_at,
        finished_at, duration_ms, first_target_idx, target_count, settled_count, summary)
      select id, 0, 'action', 'action', status, 1, started_at, finished_at, duration_ms, 0,
        target_count, target_count, summary from runs`.execute(db);
  },
};
