import { AwsError } from "../aws-error.js";
import type { ResourceItem } from "../world/world.js";
import type { CallContext, ServiceHandlers } from "./call-context.js";
import { pagedOutput, worldItems } from "./generic-read.js";
import { text } from "./input-text.js";

type Filter = { Name?: string; Values?: string[] };

// The filters RDS documents for each operation, and the fields they read (id or ARN both match).
const FILTERS: Record<string, Record<string, string[]>> = {
  DescribeDBInstances: {
    "db-instance-id": ["DBInstanceIdentifier", "DBInstanceArn"],
    "db-cluster-id": ["DBClusterIdentifier"],
    "dbi-resource-id": ["DbiResourceId"],
    engine: ["Engine"],
  },
  DescribeDBClusters: {
    "db-cluster-id": ["DBClusterIdentifier", "DBClusterArn"],
    "db-cluster-resource-id": ["DbClusterResourceId"],
    engine: ["Engine"],
  },
};

function filtered(operation: string, items: ResourceItem[], filters: Filter[]): ResourceItem[] {
  const known = FILTERS[operation] ?? {};
  let out = items;
  for (const { Name: name = "", Values: values = [] } of filters) {
    const fields = known[name];
    if (fields === undefined)
      throw new AwsError("InvalidParameterValue", `Unrecognized filter name: ${name}.`, 400);
    out = out.filter((item) => fields.some((f) => values.includes(text(item[f]))));
  }
  return out;
}

function describe(
  collectionName: "DBInstances" | "DBClusters",
  idField: string,
  notFound: (id: string) => AwsError,
) {
  return async (ctx: CallContext, input: Record<string, unknown>) => {
    await ctx.authorize(`rds:${ctx.operation.name}`, "*");
    let items = worldItems(ctx, collectionName);
    const id = text(input[idField]);
    if (id !== "") {
      items = items.filter(
        (i) => i[idField] === id || i[`${idField.replace(/Identifier$/, "")}Arn`] === id,
      );
      if (items.length === 0) throw notFound(id);
    }
    items = filtered(ctx.operation.name, items, (input.Filters as Filter[] | undefined) ?? []);
    return pagedOutput(ctx, input, collectionName, items);
  };
}

/** RDS, world key `rds`: `DBInstances` and `DBClusters` as the API returns them. */
export const rdsService: ServiceHandlers = {
  DescribeDBInstances: describe(
    "DBInstances",
    "DBInstanceIdentifier",
    (id) => new AwsError("DBInstanceNotFound", `DBInstance ${id} not found.`, 404),
  ),
  DescribeDBClusters: describe(
    "DBClusters",
    "DBClusterIdentifier",
    (id) => new AwsError("DBClusterNotFoundFault", `DBCluster ${id} not found.`, 404),
  ),
};
