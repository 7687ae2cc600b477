import { DynamoDBClient, paginateListTables } from "@aws-sdk/client-dynamodb";
import { collect, defineResourceType, idOfArn } from "../resource-type.js";

/** DynamoDB tables: in the region. */
export const dynamodbTable = defineResourceType<{ name: string }>({
  type: "dynamodb.table",
  title: "DynamoDB table",
  sdkService: "dynamodb",
  global: false,
  iamActions: ["dynamodb:ListTables"],
  async items(context, scope) {
    const client = context.client(DynamoDBClient);
    const names = await collect(paginateListTables({ client }, {}), (p) => p.TableNames);
    return names.map((name) => ({
      arn: `arn:${scope.partition}:dynamodb:${scope.region}:${scope.account}:table/${name}`,
      raw: { name },
    }));
  },
  attributes: (t) => ({ name: idOfArn(t.name), details: {} }),
});
