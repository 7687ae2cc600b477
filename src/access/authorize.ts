import { Forbidden, Unauthenticated } from "../errors.js";
import type { Principal } from "../request-types.js";

/**
 * What a route needs. Every route declares one; the auth hook calls `authorize`
 * before the handler runs, so no handler decides access on its own.
 */
export type Access = "public" | "authenticated" | "admin";

export function authorize(principal: Principal | undefined, access: Access): void {
  if (access === "public") return;
  if (principal === undefined) {
    throw new Unauthenticated("sign in or send an API token in the Authorization header");
  }
  if (access === "admin" && principal.role !== "admin") {
    throw new Forbidden("this needs the org role admin");
  }
}
