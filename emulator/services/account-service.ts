import { optInStatus } from "../world/world.js";
import type { ServiceHandlers } from "./call-context.js";
import { pagedOutput } from "./generic-read.js";

export const accountService: ServiceHandlers = {
  async ListRegions(ctx, input) {
    await ctx.authorize("account:ListRegions", "*");
    const wanted = input.RegionOptStatusContains as string[] | undefined;
    const status = { "opt-in-not-required": "ENABLED_BY_DEFAULT", "opted-in": "ENABLED" };
    const regions = [...ctx.world.regions, ...ctx.world.optInRegions]
      .map((r) => {
        const optIn = optInStatus(ctx.world, ctx.account, r);
        return {
          RegionName: r,
          RegionOptStatus:
            optIn === undefined || optIn === "not-opted-in" ? "DISABLED" : status[optIn],
        };
      })
      .filter(
        (r) => wanted === undefined || wanted.length === 0 || wanted.includes(r.RegionOptStatus),
      );
    return pagedOutput(ctx, input, "Regions", regions);
  },
};
