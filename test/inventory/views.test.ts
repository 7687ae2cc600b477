import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { createSecondOrg } from "../helpers/second-org.js";
import { waitForRun } from "../engine/engine-world.js";
import { DEV, inventoryStage, PROD, type InventoryStage } from "./inventory-world.js";

interface View {
  id: string;
  name: string;
  selection: { connections: unknown; regions?: unknown };
  collapsed: string[];
  pinned: Record<string, { x: number; y: number }>;
  team: string | null;
  owner: string;
  mine: boolean;
  updatedAt: string;
}
/** A view as listed: no body, its selection summed up. */
interface ViewSummary {
  id: string;
  name: string;
  connections: number | { tag: string } | "*";
  regions: number | "*";
  team: string | null;
  owner: string;
  mine: boolean;
  updatedAt: string;
}
interface ViewPage {
  items: ViewSummary[];
  nextCursor: string | null;
}
interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

const body = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  selection: { connections: ["prod", "dev"], regions: ["us-east-1"] },
  collapsed: [`account:${PROD}`],
  pinned: { [`arn:aws:ec2:us-east-1:${PROD}:vpc/vpc-10a`]: { x: 10.5, y: -20 } },
  team: null,
  ...extra,
});

describeEachDatabase("inventory saved views", (suite) => {
  let stage: InventoryStage;
  let alice: string;
  let bob: string;
  let carol: string;

  beforeAll(async () => {
    stage = await inventoryStage(suite.handle().db);
    // The dev bucket's ARN names no account: only the inventory says whose it is.
    const started = await stage.t.call("POST", "/api/v1/inventory/syncs", {
      body: { connections: "*", regions: ["us-east-1"], types: ["s3.bucket", "sns.topic"] },
    });
    expect(started.statusCode, started.body).toBe(202);
    const run = await waitForRun(stage.t, started.json<{ id: string }>().id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    alice = await signInAsMember(stage.t, "view-alice", ["sre"]);
    bob = await signInAsMember(stage.t, "view-bob", ["sre"]);
    carol = await signInAsMember(stage.t, "view-carol", ["dba"]);
  });
  afterAll(async () => {
    await stage.close();
  });

  const call = (
    method: "GET" | "POST" | "PUT" | "DELETE",
    url: string,
    options: { token?: string; body?: unknown } = {},
  ) => stage.t.call(method, `/api/v1/inventory/views${url}`, options);

  const page = async (query: string, token?: string) => {
    const response = await call("GET", query, token === undefined ? {} : { token });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<ViewPage>();
  };
  /** Every view listed to someone, page after page. */
  const list = async (token?: string) => {
    const items: ViewSummary[] = [];
    let cursor: string | null = null;
    do {
      const next: ViewPage = await page(
        `?limit=500${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`,
        token,
      );
      items.push(...next.items);
      cursor = next.nextCursor;
    } while (cursor !== null);
    return items;
  };

  const auditActions = async (id: string) =>
    (
      await suite
        .handle()
        .db.selectFrom("audit_events")
        .select("action")
        .where("object_id", "=", id)
        .orderBy("created_at")
        .orderBy("id")
        .execute()
    ).map((r) => r.action);

  it("saves, lists, opens, replaces and deletes a private view, each change audited", async () => {
    const created = await call("POST", "", { body: body("estate") });
    expect(created.statusCode, created.body).toBe(201);
    const view = created.json<View>();
    expect(view).toMatchObject({
      name: "estate",
      selection: { connections: ["prod", "dev"], regions: ["us-east-1"] },
      collapsed: [`account:${PROD}`],
      pinned: { [`arn:aws:ec2:us-east-1:${PROD}:vpc/vpc-10a`]: { x: 10.5, y: -20 } },
      team: null,
      owner: "admin",
      mine: true,
    });
    expect((await list()).map((v) => v.id)).toContain(view.id);
    const opened = await call("GET", `/${view.id}`);
    expect(opened.json<View>()).toEqual(view);

    const replaced = await call("PUT", `/${view.id}`, {
      body: body("estate, renamed", { collapsed: [], pinned: {}, selection: { connections: "*" } }),
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json<View>()).toMatchObject({
      id: view.id,
      name: "estate, renamed",
      collapsed: [],
      pinned: {},
      selection: { connections: "*" },
    });
    const deleted = await call("DELETE", `/${view.id}`);
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect((await call("GET", `/${view.id}`)).statusCode).toBe(404);
    expect((await list()).map((v) => v.id)).not.toContain(view.id);
    expect(await auditActions(view.id)).toEqual([
      "inventory.view.create",
      "inventory.view.update",
      "inventory.view.delete",
    ]);
  });

  it("shares a view with a team: its members see it, only its owner or an org admin change it", async () => {
    const created = await call("POST", "", {
      token: alice,
      body: body("sre board", { team: "sre" }),
    });
    expect(created.statusCode, created.body).toBe(201);
    const view = created.json<View>();
    expect(view).toMatchObject({ team: "sre", owner: "view-alice", mine: true });

    const seen = (await list(bob)).find((v) => v.id === view.id);
    expect(seen).toMatchObject({
      name: "sre board",
      team: "sre",
      owner: "view-alice",
      mine: false,
    });
    expect((await call("GET", `/${view.id}`, { token: bob })).statusCode).toBe(200);
    // A member of the team cannot change or delete it.
    const bobPut = await call("PUT", `/${view.id}`, { token: bob, body: body("mine now") });
    expect(bobPut.statusCode, bobPut.body).toBe(403);
    expect((await call("DELETE", `/${view.id}`, { token: bob })).statusCode).toBe(403);
    // Someone outside the team does not even find it.
    expect((await list(carol)).map((v) => v.id)).not.toContain(view.id);
    for (const [method, extra] of [
      ["GET", {}],
      ["PUT", { body: body("x") }],
      ["DELETE", {}],
    ] as const)
      expect((await call(method, `/${view.id}`, { token: carol, ...extra })).statusCode).toBe(404);

    // Alice may share only with a team she is in; the team must exist.
    const notHers = await call("POST", "", { token: alice, body: body("dba", { team: "dba" }) });
    expect(notHers.statusCode, notHers.body).toBe(403);
    expect(notHers.json<ErrorBody>().error.field).toBe("team");
    const none = await call("POST", "", { token: alice, body: body("nope", { team: "ghosts" }) });
    expect(none.statusCode, none.body).toBe(400);
    expect(none.json<ErrorBody>().error.field).toBe("team");

    // An org admin may change it; the owner stays Alice.
    const byAdmin = await call("PUT", `/${view.id}`, { body: body("sre board", { team: "sre" }) });
    expect(byAdmin.statusCode, byAdmin.body).toBe(200);
    expect(byAdmin.json<View>()).toMatchObject({ owner: "view-alice", mine: false, team: "sre" });
    // Made private again, Bob no longer sees it.
    const mine = await call("PUT", `/${view.id}`, { token: alice, body: body("sre board") });
    expect(mine.statusCode, mine.body).toBe(200);
    expect((await list(bob)).map((v) => v.id)).not.toContain(view.id);
    expect((await call("DELETE", `/${view.id}`, { token: alice })).statusCode).toBe(204);
  });

  it("shows a team member only what their grants let them see of a shared view", async () => {
    const bucket = (account: string) => `arn:aws:s3:::assets-${account}`;
    const created = await call("POST", "", {
      token: alice,
      body: body("two accounts", {
        team: "sre",
        collapsed: [`account:${PROD}`, `region:${DEV}:us-east-1`],
        pinned: {
          [bucket(PROD)]: { x: 1, y: 1 },
          [bucket(DEV)]: { x: 2, y: 2 },
          [`arn:aws:sns:us-east-1:${DEV}:alerts-20`]: { x: 3, y: 3 },
        },
      }),
    });
    expect(created.statusCode, created.body).toBe(201);
    const view = created.json<View>();
    // Alice sees what she saved, whatever her grants.
    expect(Object.keys(view.pinned)).toHaveLength(3);
    const granted = await stage.t.call("PUT", "/api/v1/connections/prod/grants", {
      body: [{ principal: "user:view-bob", role: "viewer" }],
    });
    expect(granted.statusCode, granted.body).toBe(200);
    try {
      const opened = (await call("GET", `/${view.id}`, { token: bob })).json<View>();
      expect(opened.selection.connections).toEqual(["prod"]);
      expect(opened.collapsed).toEqual([`account:${PROD}`]);
      expect(opened.pinned).toEqual({ [bucket(PROD)]: { x: 1, y: 1 } });
      expect(JSON.stringify(await list(bob))).not.toContain(DEV);
      // Listed, the view names one connection for him (prod), two for Alice.
      expect((await list(bob)).find((v) => v.id === view.id)).toMatchObject({
        connections: 1,
        regions: 1,
        mine: false,
      });
      expect((await list(alice)).find((v) => v.id === view.id)?.connections).toBe(2);
      // An org admin sees every connection, so all of it.
      expect(Object.keys((await call("GET", `/${view.id}`)).json<View>().pinned)).toHaveLength(3);
    } finally {
      await stage.t.call("PUT", "/api/v1/connections/prod/grants", { body: [] });
      await call("DELETE", `/${view.id}`, { token: alice });
    }
  });

  it("hides from a team member a tag selector and ids that no connection they see accounts for", async () => {
    const tagged = (name: string, tag: string) =>
      call("POST", "", {
        token: alice,
        body: body(name, {
          team: "sre",
          selection: { connections: { tag }, regions: ["us-east-1"] },
          collapsed: [`account:${PROD}`, "tag:customer=acme-merger", "region:us-east-1"],
          pinned: {},
        }),
      });
    const secret = await tagged("merger board", "customer=acme-merger");
    const known = await tagged("prod board", "env=prod");
    expect(secret.statusCode, secret.body).toBe(201);
    expect(known.statusCode, known.body).toBe(201);
    await stage.t.call("PUT", "/api/v1/connections/prod/grants", {
      body: [{ principal: "user:view-bob", role: "viewer" }],
    });
    const tagsSet = await stage.t.call("PATCH", "/api/v1/connections/prod", {
      body: { tags: { env: "prod" } },
    });
    expect(tagsSet.statusCode, tagsSet.body).toBe(200);
    try {
      const opened = (id: string, token?: string) =>
        call("GET", `/${id}`, token === undefined ? {} : { token }).then((r) => r.json<View>());
      // Bob sees no connection tagged customer=acme-merger: the selector selects nothing for him.
      const hidden = await opened(secret.json<View>().id, bob);
      expect(hidden.selection.connections).toEqual([]);
      expect(hidden.collapsed).toEqual([`account:${PROD}`]);
      expect(JSON.stringify(await list(bob))).not.toContain("acme-merger");
      const listed = await list(bob);
      expect(listed.find((v) => v.id === secret.json<View>().id)?.connections).toBe(0);
      expect(listed.find((v) => v.id === known.json<View>().id)?.connections).toEqual({
        tag: "env=prod",
      });
      expect((await list(alice)).find((v) => v.id === secret.json<View>().id)?.connections).toEqual(
        { tag: "customer=acme-merger" },
      );
      // A tag he sees on prod stays; the owner and an org admin see the view as saved.
      expect((await opened(known.json<View>().id, bob)).selection.connections).toEqual({
        tag: "env=prod",
      });
      for (const token of [alice, undefined]) {
        const whole = await opened(secret.json<View>().id, token);
        expect(whole.selection.connections).toEqual({ tag: "customer=acme-merger" });
        expect(whole.collapsed).toContain("tag:customer=acme-merger");
      }
    } finally {
      await stage.t.call("PATCH", "/api/v1/connections/prod", { body: { tags: {} } });
      await stage.t.call("PUT", "/api/v1/connections/prod/grants", { body: [] });
      for (const view of [secret, known])
        await call("DELETE", `/${view.json<View>().id}`, { token: alice });
    }
  });

  it("lists views a page at a time (100 by default, at most 500), in name order, without their bodies", async () => {
    const erin = await signInAsMember(stage.t, "view-erin", ["sre"]);
    const db = suite.handle().db;
    const owner = await db
      .selectFrom("users")
      .select(["id", "org_id"])
      .where("name", "=", "view-erin")
      .executeTakeFirstOrThrow();
    const big = Array.from(
      { length: 2000 },
      (_, i) => `arn:aws:ec2:us-east-1:${PROD}:vpc/vpc-${i}`,
    );
    try {
      // Two views of one name, one Alice's shared with sre and one Erin's: both listed to Erin.
      const shared = await call("POST", "", {
        token: alice,
        body: body("page b", { team: "sre", collapsed: big }),
      });
      expect(shared.statusCode, shared.body).toBe(201);
      const own = ["page c", "page b", "page a", "page d"];
      for (const name of own) {
        const created = await call("POST", "", {
          token: erin,
          body: body(name, { collapsed: big, selection: { connections: "*" } }),
        });
        expect(created.statusCode, created.body).toBe(201);
      }
      const all = await list(erin);
      const pages = all.filter((v) => v.name.startsWith("page "));
      expect(pages.map((v) => v.name)).toEqual(["page a", "page b", "page b", "page c", "page d"]);
      // Light: no collapsed ids or pinned positions, the selection summed up.
      for (const item of all) {
        expect(Object.keys(item).sort()).toEqual(
          ["connections", "id", "mine", "name", "owner", "regions", "team", "updatedAt"].sort(),
        );
      }
      expect(JSON.stringify(all)).not.toContain("vpc-");
      // Alice's names prod and dev, neither of which Erin may see.
      expect(pages.find((v) => !v.mine)).toMatchObject({
        name: "page b",
        owner: "view-alice",
        team: "sre",
        connections: 0,
        regions: 1,
      });
      expect(pages.find((v) => v.mine)).toMatchObject({ connections: "*", regions: "*" });
      // The body is there by id, narrowed as before for a view shared with her.
      const opened = (id: string) => call("GET", `/${id}`, { token: erin });
      const mineOpened = await opened(pages.find((v) => v.mine)?.id ?? "");
      expect(mineOpened.json<View>().collapsed).toEqual(big);
      expect((await opened(shared.json<View>().id)).json<View>()).toMatchObject({
        collapsed: [],
        selection: { connections: [] },
        mine: false,
      });

      // One at a time, each page follows the last: the same views in the same order.
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const next: ViewPage = await page(
          `?limit=1${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`,
          erin,
        );
        expect(next.items).toHaveLength(1);
        walked.push(...next.items.map((v) => v.id));
        cursor = next.nextCursor;
      } while (cursor !== null);
      expect(walked).toEqual(all.map((v) => v.id));

      // 100 a page unless asked otherwise.
      const now = new Date().toISOString();
      await db
        .insertInto("inventory_views")
        .values(
          Array.from({ length: 96 }, (_, i) => ({
            id: `erin-view-${String(i).padStart(3, "0")}`,
            org_id: owner.org_id,
            owner_user_id: owner.id,
            name: `erin ${String(i).padStart(3, "0")}`,
            selection: JSON.stringify({ connections: ["prod"] }),
            collapsed: "[]",
            pinned: "{}",
            team_id: null,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
      const everything = await list(erin);
      const total = everything.length;
      expect(total).toBeGreaterThan(100);
      const first = await page("", erin);
      expect(first.items).toHaveLength(100);
      expect(first.nextCursor).not.toBeNull();
      const rest = await page(`?cursor=${encodeURIComponent(first.nextCursor ?? "")}`, erin);
      expect(rest.items).toHaveLength(total - 100);
      expect(rest.nextCursor).toBeNull();
      expect([...first.items, ...rest.items].map((v) => v.id)).toEqual(everything.map((v) => v.id));
      expect(everything.find((v) => v.id === "erin-view-000")).toMatchObject({
        connections: 1,
        regions: "*",
      });

      // Bad paging: a 400 naming the field.
      for (const [query, field] of [
        ["?limit=0", "limit"],
        ["?limit=501", "limit"],
        ["?limit=ten", "limit"],
        ["?cursor=not-a-cursor", "cursor"],
        [`?cursor=${Buffer.from(JSON.stringify({ k: "7" })).toString("base64url")}`, "cursor"],
        ["?sort=name", "sort"],
      ] as const) {
        const refused = await call("GET", query, { token: erin });
        expect(refused.statusCode, `${query}: ${refused.body}`).toBe(400);
        expect(refused.json<ErrorBody>().error.field ?? "").toContain(field);
      }
    } finally {
      await db.deleteFrom("inventory_views").where("owner_user_id", "=", owner.id).execute();
      await db.deleteFrom("inventory_views").where("name", "=", "page b").execute();
    }
  });

  it("keeps at most 100 views per user and 2,000 per org, and says so on the name", async () => {
    const dave = await signInAsMember(stage.t, "view-dave");
    const db = suite.handle().db;
    const owner = await db
      .selectFrom("users")
      .select(["id", "org_id"])
      .where("name", "=", "view-dave")
      .executeTakeFirstOrThrow();
    const rows = (count: number, prefix: string, ownerId = owner.id) =>
      Array.from({ length: count }, (_, i) => ({
        id: `${prefix}-${i}`,
        org_id: owner.org_id,
        owner_user_id: ownerId,
        name: `${prefix} ${i}`,
        selection: JSON.stringify({ connections: "*" }),
        collapsed: "[]",
        pinned: "{}",
        team_id: null,
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      }));
    const refusal = async (name: string) => {
      const refused = await call("POST", "", { token: dave, body: body(name) });
      expect(refused.statusCode, refused.body).toBe(409);
      return refused.json<ErrorBody>().error;
    };
    try {
      await db.insertInto("inventory_views").values(rows(99, "dave-view")).execute();
      const hundredth = await call("POST", "", { token: dave, body: body("hundredth") });
      expect(hundredth.statusCode, hundredth.body).toBe(201);
      const error = await refusal("one too many");
      expect(error).toMatchObject({ code: "CONFLICT", field: "name" });
      expect(error.message).toContain("100 saved views");
      // Room again once one is deleted.
      await call("DELETE", `/${hundredth.json<View>().id}`, { token: dave });
      const again = await call("POST", "", { token: dave, body: body("again") });
      expect(again.statusCode, again.body).toBe(201);
      await db.deleteFrom("inventory_views").where("owner_user_id", "=", owner.id).execute();

      // The org's bound holds whoever owns the views (here all another user's).
      const inOrg = await db
        .selectFrom("inventory_views")
        .select((eb) => eb.fn.countAll<number | string>().as("n"))
        .where("org_id", "=", owner.org_id)
        .executeTakeFirstOrThrow();
      const other = await db
        .selectFrom("users")
        .select("id")
        .where("org_id", "=", owner.org_id)
        .where("name", "!=", "view-dave")
        .executeTakeFirstOrThrow();
      const filler = rows(2000 - Number(inOrg.n), "org-filler", other.id);
      for (let i = 0; i < filler.length; i += 200)
        await db
          .insertInto("inventory_views")
          .values(filler.slice(i, i + 200))
          .execute();
      expect((await refusal("past the org's bound")).message).toContain("2000 saved views");
    } finally {
      await db.deleteFrom("inventory_views").where("owner_user_id", "=", owner.id).execute();
      await db.deleteFrom("inventory_views").where("id", "like", "org-filler-%").execute();
    }
  });

  it("keeps another org's views out of sight and out of reach", async () => {
    const created = await call("POST", "", { body: body("tenant one") });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<View>();
    const other = await createSecondOrg(suite.handle().db, "views-other");
    expect((await list(other.token)).map((v) => v.id)).not.toContain(id);
    for (const [method, extra] of [
      ["GET", {}],
      ["PUT", { body: body("taken") }],
      ["DELETE", {}],
    ] as const)
      expect((await call(method, `/${id}`, { token: other.token, ...extra })).statusCode).toBe(404);
    // Names are per owner: the other org's admin may use the same one.
    const same = await call("POST", "", { token: other.token, body: body("tenant one") });
    expect(same.statusCode, same.body).toBe(201);
    expect((await call("GET", `/${id}`)).json<View>().name).toBe("tenant one");
  });

  it("refuses bad input with a 4xx naming the field", async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [body("x".repeat(101)), 400, "name"],
      [body(""), 400, "name"],
      [body("c", { collapsed: Array.from({ length: 5001 }, (_, i) => `n${i}`) }), 400, "collapsed"],
      [
        body("p", {
          pinned: Object.fromEntries(
            Array.from({ length: 5001 }, (_, i) => [`n${i}`, { x: 0, y: 0 }]),
          ),
        }),
        400,
        "pinned",
      ],
      [body("q", { pinned: { a: { x: "left", y: 0 } } }), 400, "pinned"],
      [body("s", { selection: { connections: [] } }), 400, "selection"],
      [body("t", { team: "Not A Team!" }), 400, "team"],
      [{ ...body("u"), owner: "someone" }, 400, "owner"],
    ];
    for (const [input, status, field] of cases) {
      const response = await call("POST", "", { body: input });
      expect(response.statusCode, response.body).toBe(status);
      expect(response.json<ErrorBody>().error.field ?? "").toContain(field);
    }
    const first = await call("POST", "", { body: body("twice") });
    expect(first.statusCode, first.body).toBe(201);
    const twice = await call("POST", "", { body: body("twice") });
    expect(twice.statusCode, twice.body).toBe(409);
    expect(twice.json<ErrorBody>().error.field).toBe("name");
    const huge = await call("POST", "", {
      body: body("huge", {
        collapsed: ["x".repeat(2048)],
        pinned: { y: { x: 0, y: 0 } },
        pad: "z".repeat(1024 * 1024),
      }),
    });
    expect(huge.statusCode, huge.body).toBe(413);
    const badId = await call("PUT", `/${"9".repeat(65)}`, { body: body("x") });
    expect(badId.statusCode, badId.body).toBe(400);
    expect(badId.json<ErrorBody>().error.field).toBe("id");
    expect((await call("GET", "/no-such-view")).statusCode).toBe(404);
  });
});
