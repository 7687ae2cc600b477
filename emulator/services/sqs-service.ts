import { AwsError } from "../aws-error.js";
import type { ResourceItem } from "../world/world.js";
import type { CallContext, ServiceHandlers } from "./call-context.js";
import { pagedOutput, worldItems } from "./generic-read.js";
import { text } from "./input-text.js";

// SQS, world key `sqs`: `Queues: [{ QueueName, QueueUrl?, Attributes? }]` (or bare `QueueUrls`);
// the URL, when not given, is the one SQS hands out: https://sqs.<region>.amazonaws.com/<account>/<name>.
function queueUrl(ctx: CallContext, queue: ResourceItem): string {
  return (
    text(queue.QueueUrl) ||
    `https://sqs.${ctx.region}.amazonaws.com/${ctx.account.id}/${text(queue.QueueName)}`
  );
}

function queueName(queue: ResourceItem): string {
  return text(queue.QueueName) || (text(queue.QueueUrl).split("/").pop() ?? "");
}

export const sqsService: ServiceHandlers = {
  async ListQueues(ctx, input) {
    await ctx.authorize("sqs:ListQueues", "*");
    const prefix = text(input.QueueNamePrefix);
    // A world may also list bare URLs (`QueueUrls`), as ListQueues returns them.
    const queues = [
      ...worldItems(ctx, "Queues"),
      ...(worldItems(ctx, "QueueUrls") as unknown[]).map((url) => ({ QueueUrl: text(url) })),
    ];
    const urls = queues.filter((q) => queueName(q).startsWith(prefix)).map((q) => queueUrl(ctx, q));
    // Without MaxResults SQS answers up to 1,000 URLs and no token.
    return pagedOutput(ctx, input, "QueueUrls", urls);
  },

  async GetQueueAttributes(ctx, input) {
    const url = text(input.QueueUrl);
    const queue: ResourceItem | undefined = [
      ...worldItems(ctx, "Queues"),
      ...(worldItems(ctx, "QueueUrls") as unknown[]).map((u) => ({ QueueUrl: text(u) })),
    ].find((q) => queueUrl(ctx, q) === url);
    const name = queue === undefined ? (url.split("/").pop() ?? "") : queueName(queue);
    await ctx.authorize(
      "sqs:GetQueueAttributes",
      `arn:aws:sqs:${ctx.region}:${ctx.account.id}:${name}`,
    );
    if (queue === undefined)
      throw new AwsError("QueueDoesNotExist", "The specified queue does not exist.", 400);
    const all: Record<string, unknown> = {
      QueueArn: `arn:aws:sqs:${ctx.region}:${ctx.account.id}:${name}`,
      ...((queue.Attributes as Record<string, unknown> | undefined) ?? {}),
    };
    const names = ((input.AttributeNames as unknown[] | undefined) ?? []).map(text);
    const attributes = Object.fromEntries(
      Object.entries(all)
        .filter(([key]) => names.includes("All") || names.includes(key))
        .map(([key, value]) => [key, String(value)]),
    );
    return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
  },
};
