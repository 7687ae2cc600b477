import { AwsError } from "../aws-error.js";
import type { ServiceHandlers } from "./call-context.js";
import { worldItems } from "./generic-read.js";
import { text } from "./input-text.js";

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

/**
 * DynamoDB, world key `dynamodb`: `Tables`, each a TableDescription as DescribeTable returns it
 * (or `TableNames`, names only, for a world that needs no descriptions).
 * ListTables pages as DynamoDB does: names in order, up to `Limit` (1..100, default 100), and
 * `LastEvaluatedTableName` to start the next page after.
 */
export const dynamodbService: ServiceHandlers = {
  async ListTables(ctx, input) {
    await ctx.authorize("dynamodb:ListTables", "*");
    const limit = input.Limit ?? 100;
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > 100)
      throw invalid(
        `1 validation error detected: Value '${JSON.stringify(limit)}' at 'limit' failed to satisfy constraint: Member must have value ${Number(limit) < 1 ? "greater than or equal to 1" : "less than or equal to 100"}`,
      );
    const start = text(input.ExclusiveStartTableName);
    // A world may also list bare names (`TableNames`), as ListTables returns them.
    const names = [
      ...worldItems(ctx, "Tables").map((t) => text(t.TableName)),
      ...(worldItems(ctx, "TableNames") as unknown[]).map(text),
    ]
      .sort()
      .filter((name) => start === "" || name > start);
    const page = names.slice(0, limit);
    return {
      TableNames: page,
      ...(names.length > limit ? { LastEvaluatedTableName: page.at(-1) } : {}),
    };
  },

  async DescribeTable(ctx, input) {
    const name = text(input.TableName);
    const arn = `arn:aws:dynamodb:${ctx.region}:${ctx.account.id}:table/${name}`;
    await ctx.authorize("dynamodb:DescribeTable", arn);
    const table = worldItems(ctx, "Tables").find(
      (t) => t.TableName === name || t.TableArn === name,
    );
    if (table === undefined)
      throw new AwsError(
        "ResourceNotFoundException",
        `Requested resource not found: Table: ${name} not found`,
        400,
      );
    return { Table: table };
  },
};
