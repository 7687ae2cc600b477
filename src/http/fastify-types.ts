import type { Access } from "../access/index.js";
import type { Principal } from "../request-types.js";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** What the route needs; the auth hook enforces it before the handler runs. */
    access?: Access;
  }
}
