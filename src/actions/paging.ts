import type { ActionContext } from "./action-definition.js";

/** An SDK paginator's configuration for this target: its client, and the page size if one was asked. */
export function paging<C>(
  ctx: ActionContext,
  ClientClass: new (config: never) => C,
): { client: C; pageSize?: number } {
  const client = ctx.client(ClientClass);
  return ctx.pageSize === undefined ? { client } : { client, pageSize: ctx.pageSize };
}
