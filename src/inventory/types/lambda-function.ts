import {
  LambdaClient,
  paginateListFunctions,
  type FunctionConfiguration,
} from "@aws-sdk/client-lambda";
import { collect, defineResourceType, details, ec2Arn, type Edge } from "../resource-type.js";

/**
 * Lambda functions: in their VPC when they have one (else the region); edges to their subnets
 * and security groups. The live view never shows the environment (it often holds secrets).
 */
export const lambdaFunction = defineResourceType<FunctionConfiguration>({
  type: "lambda.function",
  title: "Lambda function",
  sdkService: "lambda",
  global: false,
  iamActions: ["lambda:ListFunctions"],
  async items(context) {
    const client = context.client(LambdaClient);
    const functions = await collect(paginateListFunctions({ client }, {}), (p) => p.Functions);
    return functions.map((raw) => ({ arn: raw.FunctionArn ?? "", raw }));
  },
  parent: (f, scope) => {
    const vpcId = f.VpcConfig?.VpcId;
    return vpcId === undefined || vpcId === "" ? null : ec2Arn(scope, "vpc", vpcId);
  },
  edges: ({ arn, raw }, scope) => [
    ...(raw.VpcConfig?.SubnetIds ?? []).map((id): Edge => ({
      from: arn,
      to: ec2Arn(scope, "subnet", id),
      kind: "in-subnet",
    })),
    ...(raw.VpcConfig?.SecurityGroupIds ?? []).map((id): Edge => ({
      from: arn,
      to: ec2Arn(scope, "security-group", id),
      kind: "uses-group",
    })),
  ],
  attributes: (f) => ({
    ...(f.FunctionName === undefined ? {} : { name: f.FunctionName }),
    state: f.State ?? "Active",
    details: details({
      runtime: f.Runtime,
      memorySize: f.MemorySize,
      timeout: f.Timeout,
      architecture: f.Architectures?.[0],
      lastModified: f.LastModified,
    }),
  }),
});
