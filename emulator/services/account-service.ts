import type { ServiceHandlers } from "./call-context.js";
import { pagedOutput } from "./generic-read.js";

export const accountService: ServiceHandlers = {
  async ListRegions(ctx, input) {
    await ctx.authorize("account:ListRegions", "*");
    const wanted = input.RegionOptStatusContains as string[] | undefined;
    const regions = ctx.world.regions
      .map((r) => ({ RegionName: r, RegionOptStatus: "ENABLED_BY_DEFAULT" }))
      .filter(
        (r) => wanted === undefined || wanted.length === 0 || wanted.includes(r.RegionOptStatus),
      );
    return pagedOutput(ctx, input, "Regions", regions);
  },
};
