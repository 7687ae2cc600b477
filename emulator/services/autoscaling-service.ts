import { AwsError } from "../aws-error.js";
import type { ResourceItem } from "../world/world.js";
import type { ServiceHandlers } from "./call-context.js";
import { pagedOutput, worldItems } from "./generic-read.js";
import { text } from "./input-text.js";

type Filter = { Name?: string; Values?: string[] };

// DescribeAutoScalingGroups' documented filters: tag-key, tag-value and tag:<key>.
function matches(group: ResourceItem, filter: Filter): boolean {
  const name = filter.Name ?? "";
  const values = filter.Values ?? [];
  const tags = (group.Tags as { Key?: string; Value?: string }[] | undefined) ?? [];
  if (name === "tag-key") return tags.some((t) => values.includes(t.Key ?? ""));
  if (name === "tag-value") return tags.some((t) => values.includes(t.Value ?? ""));
  if (name.startsWith("tag:"))
    return tags.some((t) => t.Key === name.slice(4) && values.includes(t.Value ?? ""));
  throw new AwsError("ValidationError", `Filter name '${name}' is not supported.`, 400);
}

/** Auto Scaling, world key `autoscaling`: `AutoScalingGroups` as the API returns them. */
export const autoscalingService: ServiceHandlers = {
  async DescribeAutoScalingGroups(ctx, input) {
    await ctx.authorize("autoscaling:DescribeAutoScalingGroups", "*");
    let groups = worldItems(ctx, "AutoScalingGroups");
    const names = ((input.AutoScalingGroupNames as unknown[] | undefined) ?? []).map(text);
    // Unknown names are left out, not refused: AWS answers with the groups it found.
    if (names.length > 0)
      groups = groups.filter((g) => names.includes(text(g.AutoScalingGroupName)));
    for (const filter of (input.Filters as Filter[] | undefined) ?? [])
      groups = groups.filter((g) => matches(g, filter));
    return pagedOutput(ctx, input, "AutoScalingGroups", groups);
  },
};
