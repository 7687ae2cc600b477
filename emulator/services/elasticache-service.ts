import { AwsError } from "../aws-error.js";
import type { ServiceHandlers } from "./call-context.js";
import { pagedOutput, worldItems } from "./generic-read.js";
import { text } from "./input-text.js";

/** ElastiCache, world key `elasticache`: `CacheClusters`, each with its `CacheNodes`. */
export const elasticacheService: ServiceHandlers = {
  async DescribeCacheClusters(ctx, input) {
    await ctx.authorize("elasticache:DescribeCacheClusters", "*");
    let clusters = worldItems(ctx, "CacheClusters");
    const id = text(input.CacheClusterId);
    if (id !== "") {
      clusters = clusters.filter((c) => c.CacheClusterId === id);
      if (clusters.length === 0)
        throw new AwsError("CacheClusterNotFound", `CacheCluster not found: ${id}`, 404);
    }
    // Nodes are listed only when asked for, as AWS does.
    if (input.ShowCacheNodeInfo !== true)
      clusters = clusters.map(({ CacheNodes: _nodes, ...rest }) => rest);
    return pagedOutput(ctx, input, "CacheClusters", clusters);
  },
};
