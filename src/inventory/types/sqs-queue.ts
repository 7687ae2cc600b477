import { paginateListQueues, SQSClient } from "@aws-sdk/client-sqs";
import { collect, defineResourceType, idOfArn } from "../resource-type.js";

/** SQS queues: in the region; the ARN is built from the queue URL's account and name. */
export const sqsQueue = defineResourceType<{ url: string }>({
  type: "sqs.queue",
  title: "SQS queue",
  sdkService: "sqs",
  global: false,
  iamActions: ["sqs:ListQueues"],
  async items(context, scope) {
    const client = context.client(SQSClient);
    const urls = await collect(paginateListQueues({ client }, {}), (p) => p.QueueUrls);
    return urls.map((url) => {
      const [account, name] = new URL(url).pathname.split("/").filter((p) => p !== "");
      return {
        arn: `arn:${scope.partition}:sqs:${scope.region}:${account ?? scope.account}:${name ?? ""}`,
        raw: { url },
      };
    });
  },
  attributes: (q) => ({ name: idOfArn(q.url), details: {} }),
});
