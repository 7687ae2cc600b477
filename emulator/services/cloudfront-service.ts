import { AwsError } from "../aws-error.js";
import type { ServiceHandlers } from "./call-context.js";
import { worldItems } from "./generic-read.js";
import { text } from "./input-text.js";

/**
 * CloudFront (global), world key `cloudfront` under `global`: `Distributions`, each a
 * DistributionSummary as ListDistributions returns it (Origins.Items[].DomainName names the
 * origin: a load balancer's DNS name, a bucket's `<name>.s3.amazonaws.com`, an API's host).
 * Pages as CloudFront does: MaxItems (a string on the wire, default 100), NextMarker is the id of
 * the page's last distribution and Marker starts after it.
 */
export const cloudfrontService: ServiceHandlers = {
  async ListDistributions(ctx, input) {
    await ctx.authorize("cloudfront:ListDistributions", "*");
    const raw = text(input.MaxItems);
    const maxItems = raw === "" ? 100 : Number(raw);
    if (!Number.isInteger(maxItems) || maxItems < 0 || maxItems > 1000)
      throw new AwsError("InvalidArgument", "MaxItems must be a number between 0 and 1000.", 400);
    const marker = text(input.Marker);
    const all = worldItems(ctx, "Distributions");
    const start = marker === "" ? 0 : all.findIndex((d) => d.Id === marker) + 1;
    if (marker !== "" && start === 0)
      throw new AwsError("InvalidArgument", "The marker is not valid.", 400);
    const page = all.slice(start, start + maxItems);
    const truncated = start + page.length < all.length && page.length > 0;
    return {
      DistributionList: {
        Marker: marker,
        ...(truncated ? { NextMarker: page.at(-1)?.Id } : {}),
        MaxItems: maxItems,
        IsTruncated: truncated,
        Quantity: page.length,
        ...(page.length > 0 ? { Items: page } : {}),
      },
    };
  },
};
