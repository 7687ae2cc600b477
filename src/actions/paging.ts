import type { ActionContext } from "./action-definition.js";

/**
 * An SDK paginator's configuration for this target: its client, the page size if one was asked,
 * and `stopOnSameToken`, so a service that hands back the token it was given ends the paging
 * instead of being asked the same page forever.
 */
export function paging<C>(
  ctx: ActionContext,
  ClientClass: new (config: never) => C,
): { client: C; pageSize?: number; stopOnSameToken: true } {
  const client = ctx.client(ClientClass);
  return ctx.pageSize === undefined
    ? { client, stopOnSameToken: true }
    : { client, pageSize: ctx.pageSize, stopOnSameToken: true };
}
