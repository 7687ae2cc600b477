import { ApiGatewayV2Client, GetApisCommand, type Api } from "@aws-sdk/client-apigatewayv2";
import { defineResourceType, details, type Item } from "../resource-type.js";

/** API Gateway HTTP and WebSocket APIs (v2): in the region. */
export const apiGatewayHttpApi = defineResourceType<Api>({
  type: "apigateway.http-api",
  title: "API Gateway HTTP API",
  sdkService: "apigatewayv2",
  global: false,
  iamActions: ["apigateway:GET"],
  async items(context, scope) {
    const client = context.client(ApiGatewayV2Client);
    const items: Item<Api>[] = [];
    let token: string | undefined;
    // GetApis has no SDK paginator: follow NextToken by hand.
    do {
      const page = await client.send(new GetApisCommand({ NextToken: token }));
      for (const raw of page.Items ?? [])
        items.push({
          arn: `arn:${scope.partition}:apigateway:${scope.region}::/apis/${raw.ApiId ?? ""}`,
          raw,
        });
      token = page.NextToken;
    } while (token !== undefined && token !== "");
    return items;
  },
  attributes: (a) => ({
    ...(a.Name === undefined ? {} : { name: a.Name }),
    ...(a.Tags === undefined ? {} : { tags: a.Tags }),
    details: details({ protocolType: a.ProtocolType, created: a.CreatedDate }),
  }),
});
