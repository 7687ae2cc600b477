import { paginateListTopics, SNSClient } from "@aws-sdk/client-sns";
import { collect, defineResourceType } from "../resource-type.js";

/** SNS topics: in the region. */
export const snsTopic = defineResourceType<{ arn: string }>({
  type: "sns.topic",
  title: "SNS topic",
  sdkService: "sns",
  global: false,
  iamActions: ["sns:ListTopics"],
  async items(context) {
    const client = context.client(SNSClient);
    const topics = await collect(paginateListTopics({ client }, {}), (p) => p.Topics);
    return topics.flatMap((t) =>
      t.TopicArn === undefined ? [] : [{ arn: t.TopicArn, raw: { arn: t.TopicArn } }],
    );
  },
  attributes: (t) => ({ name: t.arn.slice(t.arn.lastIndexOf(":") + 1), details: {} }),
});
