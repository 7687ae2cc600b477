import { APIGatewayClient, paginateGetRestApis, type RestApi } from "@aws-sdk/client-api-gateway";
import { collect, defineResourceType, details } from "../resource-type.js";

/** API Gateway REST APIs: in the region. */
export const apiGatewayRestApi = defineResourceType<RestApi>({
  type: "apigateway.rest-api",
  title: "API Gateway REST API",
  sdkService: "api-gateway",
  global: false,
  iamActions: ["apigateway:GET"],
  async items(context, scope) {
    const client = context.client(APIGatewayClient);
    const apis = await collect(paginateGetRestApis({ client }, {}), (p) => p.items);
    return apis.map((raw) => ({
      arn: `arn:${scope.partition}:apigateway:${scope.region}::/restapis/${raw.id ?? ""}`,
      raw,
    }));
  },
  attributes: (a) => ({
    ...(a.name === undefined ? {} : { name: a.name }),
    ...(a.tags === undefined ? {} : { tags: a.tags }),
    details: details({
      endpointType: a.endpointConfiguration?.types?.join(", "),
      created: a.createdDate,
    }),
  }),
});
