import type { Principal } from "../access/index.js";
import { recordAuditEvent, type RequestContext } from "../audit/index.js";
import type { Clock } from "../clock.js";
import { listVisibleConnections } from "../connections/index.js";
import { isUniqueViolation, type Db, type DbOrTx } from "../db/index.js";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors.js";
import { decodeCursor, toPage } from "../http/pagination.js";
import { newId } from "../ids.js";
import type { InventoryViewTable } from "./inventory.table.js";
import type { View, ViewRequest, ViewSummary } from "./schemas.js";

interface ViewDeps {
  db: Db;
  clock: Clock;
}

type Row = InventoryViewTable & { owner_name: string; team_name: string | null };

async function teamIdsOf(db: DbOrTx, principal: Principal): Promise<string[]> {
  const rows = await db
    .selectFrom("team_members")
    .select("team_id")
    .where("user_id", "=", principal.userId)
    .execute();
  return rows.map((r) => r.team_id);
}

function selectViews(db: DbOrTx, orgId: string) {
  return db
    .selectFrom("inventory_views as v")
    .innerJoin("users as u", "u.id", "v.owner_user_id")
    .leftJoin("teams as t", "t.id", "v.team_id")
    .selectAll("v")
    .select(["u.name as owner_name", "t.name as team_name"])
    .where("v.org_id", "=", orgId);
}

interface Narrowing {
  connection(name: string): boolean;
  /** A tag selector ("key=value") that a connection the principal may see carries. */
  tag(selector: string): boolean;
  node(id: string): boolean;
}

// Twelve digits not part of a longer number: an AWS account id inside a node id.
const ACCOUNT_ID = /(?<!\d)\d{12}(?!\d)/g;
// An ARN without an account (an S3 bucket, an API Gateway API): its name is the secret part.
const ACCOUNTLESS_ARN = /arn:[^:]*:[^:]*:[^:]*::/;

/**
 * What a view shows someone who is not its owner: the same, less what their grants do not let
 * them see. A shared view must not tell a team member the names of connections, the accounts or
 * the ARNs kept in it (as the selection, collapsed ids or pinned ids) that they may not see.
 */
async function narrowFor(
  db: DbOrTx,
  principal: Principal,
  rows: { owner_user_id: string; collapsed?: string; pinned?: string }[],
): Promise<Narrowing> {
  const shared = rows.filter((r) => r.owner_user_id !== principal.userId);
  if (shared.length === 0 || principal.role === "admin")
    return { connection: () => true, tag: () => true, node: () => true };
  const visible = await listVisibleConnections(db, principal);
  const names = new Set(visible.map((v) => v.connection.name));
  const accounts = new Set(visible.flatMap((v) => v.connection.accountId ?? []));
  // A connection never tested has no account id yet; its listings know it.
  const untested = visible.filter((v) => v.connection.accountId === null);
  if (untested.length > 0) {
    const listed = await db
      .selectFrom("inventory_scopes")
      .select("account_id")
      .distinct()
      .where(
        "connection_id",
        "in",
        untested.map((v) => v.connection.id),
      )
      .execute();
    for (const row of listed) accounts.add(row.account_id);
  }
  const accountless = new Set<string>();
  const asked = [
    ...new Set(
      shared.flatMap((r) => [
        ...(JSON.parse(r.collapsed ?? "[]") as string[]),
        ...Object.keys(JSON.parse(r.pinned ?? "{}") as object),
      ]),
    ),
  ].filter((id) => ACCOUNTLESS_ARN.test(id));
  if (asked.length > 0 && visible.length > 0) {
    const found = await db
      .selectFrom("inventory_resources")
      .select("arn")
      .where("org_id", "=", principal.orgId)
      .where(
        "connection_id",
        "in",
        visible.map((v) => v.connection.id),
      )
      .where("arn", "in", asked)
      .execute();
    for (const row of found) accountless.add(row.arn);
  }
  const tags = new Set(
    visible.flatMap((v) => Object.entries(v.connection.tags).map(([k, value]) => `${k}=${value}`)),
  );
  return {
    connection: (name) => names.has(name),
    tag: (selector) => tags.has(selector),
    // Only ids that can be tied to what the principal sees: every account id in them visible,
    // and at least one, or an accountless ARN listed through a visible connection. Any other
    // string kept in a view (a group id made up by its owner, "tag:customer=…") is dropped.
    node: (id) => {
      const ids = [...id.matchAll(ACCOUNT_ID)].map((m) => m[0]);
      if (!ids.every((account) => accounts.has(account))) return false;
      if (ACCOUNTLESS_ARN.test(id)) return accountless.has(id);
      return ids.length > 0;
    },
  };
}

/** A view's selection as someone sees it: theirs as saved, another's less what they may not see. */
function selectionFor(raw: string, mine: boolean, allowed: Narrowing): View["selection"] {
  const selection = JSON.parse(raw) as View["selection"];
  const connections = Array.isArray(selection.connections)
    ? selection.connections.filter((name) => mine || allowed.connection(name))
    : // A tag no visible connection carries would select nothing for them, and its value may
      // name what they may not know (a customer, a project): they get the empty selection.
      typeof selection.connections === "object" && !mine && !allowed.tag(selection.connections.tag)
      ? []
      : selection.connections;
  return { ...selection, connections };
}

function present(row: Row, principal: Principal, allowed: Narrowing): View {
  const mine = row.owner_user_id === principal.userId;
  const keep = (id: string) => mine || allowed.node(id);
  const pinned = JSON.parse(row.pinned) as View["pinned"];
  return {
    id: row.id,
    name: row.name,
    selection: selectionFor(row.selection, mine, allowed),
    collapsed: (JSON.parse(row.collapsed) as string[]).filter(keep),
    pinned: Object.fromEntries(Object.entries(pinned).filter(([id]) => keep(id))),
    team: row.team_name,
    owner: row.owner_name,
    mine,
    updatedAt: row.updated_at,
  };
}

/** A page of views: after the view of this name and id, in the order name, id. */
export interface ViewPageQuery {
  limit: number;
  cursor?: string | undefined;
}

function afterOf(cursor: string | undefined): [string, string] | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(key);
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === "string" &&
      typeof parsed[1] === "string"
    )
      return [parsed[0], parsed[1]];
  } catch {
    // refused below, as any cursor this server did not issue
  }
  throw new Invalid(
    "cursor is not one this server issued; pass the nextCursor of the previous page",
    { field: "cursor" },
  );
}

/**
 * The views a principal sees, a page at a time: their own, and those shared with a team they are
 * a member of. Light: no collapsed ids or pinned positions (up to a mebibyte each; GET
 * /inventory/views/ID gives them), and the selection summed up as counts.
 */
export async function listViews(
  deps: ViewDeps,
  principal: Principal,
  page: ViewPageQuery,
): Promise<{ items: ViewSummary[]; nextCursor: string | null }> {
  const after = afterOf(page.cursor);
  const teams = await teamIdsOf(deps.db, principal);
  let query = deps.db
    .selectFrom("inventory_views as v")
    .innerJoin("users as u", "u.id", "v.owner_user_id")
    .leftJoin("teams as t", "t.id", "v.team_id")
    .select([
      "v.id",
      "v.name",
      "v.owner_user_id",
      "v.selection",
      "v.updated_at",
      "u.name as owner_name",
      "t.name as team_name",
    ])
    .where("v.org_id", "=", principal.orgId)
    .where((eb) =>
      teams.length === 0
        ? eb("v.owner_user_id", "=", principal.userId)
        : eb.or([eb("v.owner_user_id", "=", principal.userId), eb("v.team_id", "in", teams)]),
    );
  if (after !== undefined) {
    const [name, id] = after;
    query = query.where((eb) =>
      eb.or([eb("v.name", ">", name), eb.and([eb("v.name", "=", name), eb("v.id", ">", id)])]),
    );
  }
  const rows = await query
    .orderBy("v.name")
    .orderBy("v.id")
    .limit(page.limit + 1)
    .execute();
  const shown = toPage(rows, page.limit, (row) => JSON.stringify([row.name, row.id]));
  const allowed = await narrowFor(deps.db, principal, shown.items);
  return {
    items: shown.items.map((row) => {
      const mine = row.owner_user_id === principal.userId;
      const selection = selectionFor(row.selection, mine, allowed);
      return {
        id: row.id,
        name: row.name,
        connections: Array.isArray(selection.connections)
          ? selection.connections.length
          : selection.connections,
        regions: Array.isArray(selection.regions) ? selection.regions.length : "*",
        team: row.team_name,
        owner: row.owner_name,
        mine,
        updatedAt: row.updated_at,
      };
    }),
    nextCursor: shown.nextCursor,
  };
}

/** A view the principal sees (theirs or their team's); NOT_FOUND otherwise, whoever owns it. */
async function visibleView(db: DbOrTx, principal: Principal, id: string): Promise<Row> {
  const row = await selectViews(db, principal.orgId).where("v.id", "=", id).executeTakeFirst();
  if (row === undefined) throw new NotFound(`view ${id}`);
  if (row.owner_user_id === principal.userId) return row;
  if (row.team_id !== null && (await teamIdsOf(db, principal)).includes(row.team_id)) return row;
  // An org admin may change or delete any view of the org, so may find it.
  if (principal.role === "admin") return row;
  throw new NotFound(`view ${id}`);
}

export async function getView(deps: ViewDeps, principal: Principal, id: string): Promise<View> {
  const row = await visibleView(deps.db, principal, id);
  return present(row, principal, await narrowFor(deps.db, principal, [row]));
}

/** The team a view is shared with, by id: one the principal is a member of (any, for an admin). */
async function teamIdFor(
  db: DbOrTx,
  principal: Principal,
  team: string | null,
): Promise<string | null> {
  if (team === null) return null;
  const row = await db
    .selectFrom("teams")
    .select("id")
    .where("org_id", "=", principal.orgId)
    .where("name", "=", team)
    .executeTakeFirst();
  if (row === undefined) throw new Invalid(`no team ${team} in this org`, { field: "team" });
  if (principal.role !== "admin" && !(await teamIdsOf(db, principal)).includes(row.id))
    throw new Forbidden(`you can share a view only with a team you are a member of`, {
      field: "team",
    });
  return row.id;
}

function columnsOf(input: ViewRequest) {
  return {
    name: input.name,
    selection: JSON.stringify(input.selection),
    collapsed: JSON.stringify([...new Set(input.collapsed)]),
    pinned: JSON.stringify(input.pinned),
  };
}

async function nameTaken<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error))
      throw new Conflict(`you already have a view named ${name}`, { field: "name", cause: error });
    throw error;
  }
}

/**
 * How many views one user, and a whole org, may keep: each may be up to 1 MiB, and every view
 * shared with a team is listed to each of its members, so without a bound one member could make
 * every team member's diagram page load gigabytes.
 */
export const MAX_VIEWS_PER_USER = 100;
export const MAX_VIEWS_PER_ORG = 2000;

async function ensureRoomForView(db: DbOrTx, principal: Principal): Promise<void> {
  const counted = await db
    .selectFrom("inventory_views")
    .select((eb) => [
      eb.fn.countAll<number | string>().as("org"),
      eb.fn
        .sum<number | string | null>(
          eb.case().when("owner_user_id", "=", principal.userId).then(1).else(0).end(),
        )
        .as("mine"),
    ])
    .where("org_id", "=", principal.orgId)
    .executeTakeFirstOrThrow();
  if (Number(counted.mine ?? 0) >= MAX_VIEWS_PER_USER)
    throw new Conflict(
      `you have ${MAX_VIEWS_PER_USER} saved views, the most a user may: delete one or replace one`,
      { field: "name" },
    );
  if (Number(counted.org) >= MAX_VIEWS_PER_ORG)
    throw new Conflict(
      `the org has ${MAX_VIEWS_PER_ORG} saved views, the most it may: delete some first`,
      { field: "name" },
    );
}

export async function createView(
  deps: ViewDeps,
  context: RequestContext,
  principal: Principal,
  input: ViewRequest,
): Promise<View> {
  const now = deps.clock.now();
  const id = newId(now.getTime());
  await nameTaken(input.name, () =>
    deps.db.transaction().execute(async (tx) => {
      const teamId = await teamIdFor(tx, principal, input.team);
      await ensureRoomForView(tx, principal);
      await tx
        .insertInto("inventory_views")
        .values({
          id,
          org_id: principal.orgId,
          owner_user_id: principal.userId,
          ...columnsOf(input),
          team_id: teamId,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        })
        .execute();
      await recordAuditEvent(
        tx,
        context,
        {
          action: "inventory.view.create",
          objectType: "inventory_view",
          objectId: id,
          detail: { name: input.name, team: input.team },
        },
        now,
      );
    }),
  );
  return getView(deps, principal, id);
}

/** Only the owner or an org admin changes a view; a team member who sees it is refused. */
async function changeableView(db: DbOrTx, principal: Principal, id: string): Promise<Row> {
  const row = await visibleView(db, principal, id);
  if (row.owner_user_id !== principal.userId && principal.role !== "admin")
    throw new Forbidden(
      `only ${row.owner_name}, who saved view ${row.name}, or an org admin may change it`,
    );
  return row;
}

export async function updateView(
  deps: ViewDeps,
  context: RequestContext,
  principal: Principal,
  id: string,
  input: ViewRequest,
): Promise<View> {
  const now = deps.clock.now();
  await nameTaken(input.name, () =>
    deps.db.transaction().execute(async (tx) => {
      const row = await changeableView(tx, principal, id);
      // An admin keeps the team of someone else's view unless they name another.
      const teamId =
        row.team_name === input.team ? row.team_id : await teamIdFor(tx, principal, input.team);
      await tx
        .updateTable("inventory_views")
        .set({ ...columnsOf(input), team_id: teamId, updated_at: now.toISOString() })
        .where("id", "=", id)
        .execute();
      await recordAuditEvent(
        tx,
        context,
        {
          action: "inventory.view.update",
          objectType: "inventory_view",
          objectId: id,
          detail: { name: input.name, team: input.team, owner: row.owner_name },
        },
        now,
      );
    }),
  );
  return getView(deps, principal, id);
}

export async function deleteView(
  deps: ViewDeps,
  context: RequestContext,
  principal: Principal,
  id: string,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    const row = await changeableView(tx, principal, id);
    await tx.deleteFrom("inventory_views").where("id", "=", id).execute();
    await recordAuditEvent(
      tx,
      context,
      {
        action: "inventory.view.delete",
        objectType: "inventory_view",
        objectId: id,
        detail: { name: row.name, owner: row.owner_name },
      },
      now,
    );
  });
}
