import { recordAuditEvent } from "../audit/index.js";
import type { RequestContext } from "../request-types.js";
import { isUniqueViolation, type DbOrTx } from "../db/index.js";
import { Conflict, NotFound } from "../errors.js";
import { newId } from "../ids.js";
import type { AccessDeps } from "./access-deps.js";
import { hashPassword } from "./passwords.js";
import type { CreateUserInput, UpdateUserInput, User } from "./schemas.js";
import { createSetupLink } from "./setup-links.js";
import { removeStoredPrincipal, storedUser } from "./stored-principals.js";
import type { UserTable } from "./tables.js";

export function toUser(row: UserTable): User {
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    role: row.role,
    hasPassword: row.password_hash !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function listUsers(
  db: DbOrTx,
  orgId: string,
  page: { limit: number; afterName?: string | undefined },
): Promise<User[]> {
  let q = db.selectFrom("users").selectAll().where("org_id", "=", orgId);
  if (page.afterName !== undefined) q = q.where("name", ">", page.afterName);
  const rows = await q
    .orderBy("name")
    .limit(page.limit + 1)
    .execute();
  return rows.map(toUser);
}

export async function findUserRow(db: DbOrTx, orgId: string, name: string): Promise<UserTable> {
  const row = await db
    .selectFrom("users")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("name", "=", name)
    .executeTakeFirst();
  if (row === undefined) throw new NotFound(`user ${name}`);
  return row;
}

export async function createUser(
  deps: AccessDeps,
  context: RequestContext,
  input: CreateUserInput,
): Promise<{ user: User; setupUrl: string | null }> {
  const now = deps.clock.now();
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  try {
    return await deps.db.transaction().execute(async (tx) => {
      const row: UserTable = {
        id: newId(now.getTime()),
        org_id: context.orgId,
        name: input.name,
        display_name: input.displayName ?? null,
        role: input.role,
        password_hash: passwordHash,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      };
      await tx.insertInto("users").values(row).execute();
      const setupUrl =
        passwordHash === null
          ? await createSetupLink(tx, deps, { orgId: row.org_id, userId: row.id })
          : null;
      await recordAuditEvent(
        tx,
        context,
        {
          action: "user.create",
          objectType: "user",
          objectId: row.name,
          detail: { role: row.role },
        },
        now,
      );
      return { user: toUser(row), setupUrl };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new Conflict(`a user named ${input.name} already exists`, {
        field: "name",
        cause: error,
      });
    }
    throw error;
  }
}

async function assertAnotherAdmin(db: DbOrTx, orgId: string, userId: string): Promise<void> {
  const other = await db
    .selectFrom("users")
    .select("id")
    .where("org_id", "=", orgId)
    .where("role", "=", "admin")
    .where("id", "!=", userId)
    .executeTakeFirst();
  if (other === undefined) {
    throw new Conflict("this is the org's last admin; make another user admin first", {
      code: "LAST_ADMIN",
    });
  }
}

export async function updateUser(
  deps: AccessDeps,
  context: RequestContext,
  name: string,
  input: UpdateUserInput,
): Promise<User> {
  const now = deps.clock.now();
  const passwordHash =
    input.password === undefined ? undefined : await hashPassword(input.password);
  return deps.db.transaction().execute(async (tx) => {
    const row = await findUserRow(tx, context.orgId, name);
    if (input.role === "member" && row.role === "admin")
      await assertAnotherAdmin(tx, row.org_id, row.id);
    const changes: Partial<UserTable> = { updated_at: now.toISOString() };
    if (input.displayName !== undefined) changes.display_name = input.displayName;
    if (input.role !== undefined) changes.role = input.role;
    if (passwordHash !== undefined) changes.password_hash = passwordHash;
    await tx.updateTable("users").set(changes).where("id", "=", row.id).execute();
    if (passwordHash !== undefined) {
      // A new password ends every session signed in with the old one.
      await tx.deleteFrom("sessions").where("user_id", "=", row.id).execute();
    }
    await recordAuditEvent(
      tx,
      context,
      {
        action: "user.update",
        objectType: "user",
        objectId: name,
        detail: {
          fields: Object.keys(input).filter((k) => input[k as keyof UpdateUserInput] !== undefined),
        },
      },
      now,
    );
    return toUser({ ...row, ...changes });
  });
}

export async function deleteUser(
  deps: AccessDeps,
  context: RequestContext,
  name: string,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    const row = await findUserRow(tx, context.orgId, name);
    if (row.role === "admin") await assertAnotherAdmin(tx, row.org_id, row.id);
    // Grants, project memberships and access requests keep the user by id (`user-id:<id>`, see
    // stored-principals.ts): they go with the user, and the audit names what was removed.
    const removed = await removeStoredPrincipal(tx, storedUser(row.id));
    await tx
      .deleteFrom("access_requests")
      .where("org_id", "=", row.org_id)
      .where("requester", "=", storedUser(row.id))
      .execute();
    await tx.deleteFrom("users").where("id", "=", row.id).execute();
    await recordAuditEvent(
      tx,
      context,
      {
        action: "user.delete",
        objectType: "user",
        objectId: name,
        ...(removed === undefined ? {} : { detail: removed }),
      },
      now,
    );
  });
}
