import type { ProtocolRequest } from "../protocols/parse-request.js";
import { loadServiceModel, type ServiceModel } from "./service-model.js";

export type ModelLookup = (signingName: string) => ServiceModel | undefined;

// The second API of a shared signing name, loaded once per process (models are read-only data).
const sharedNameModels = new Map<string, ServiceModel | undefined>();

function otherModel(signingName: string, name: string): ServiceModel | undefined {
  if (!sharedNameModels.has(name)) sharedNameModels.set(name, loadServiceModel(signingName, name));
  return sharedNameModels.get(name);
}

const CLOUDWATCH_JSON_TARGET = "GraniteServiceVersion20100801";
const jsonVariants = new WeakMap<ServiceModel, ServiceModel>();

function formParameter(request: ProtocolRequest, name: string): string | null {
  const fromQuery = request.query.get(name);
  if (fromQuery !== null) return fromQuery;
  if (request.method !== "POST") return null;
  return new URLSearchParams(request.body.toString("utf8")).get(name);
}

// CloudWatch answers both AWS Query and, since 2025, JSON 1.0 (which the SDK v3 client now sends,
// with the query-compatible error header). aws-sdk v2's model only declares Query, with the same
// shapes: the JSON variant is that model spoken as JSON 1.0 under CloudWatch's JSON target.
function cloudWatchJson(model: ServiceModel): ServiceModel {
  let variant = jsonVariants.get(model);
  if (variant === undefined) {
    variant = {
      ...model,
      protocol: "json",
      targetPrefix: CLOUDWATCH_JSON_TARGET,
      jsonVersion: "1.0",
      awsQueryCompatible: true,
    };
    jsonVariants.set(model, variant);
  }
  return variant;
}

/**
 * The model a request speaks. Usually the one named like its signing name, but some APIs share a
 * signing name: Elastic Load Balancing v2 and the Classic API both sign as `elasticloadbalancing`
 * and differ only by the `Version` parameter (2015-12-01 against 2012-06-01), and API Gateway's
 * HTTP/WebSocket API (v2) signs as `apigateway` like the REST API, under `/v2/` paths.
 */
export function selectModel(
  modelFor: ModelLookup,
  service: string,
  request: ProtocolRequest,
): ServiceModel | undefined {
  switch (service) {
    case "elasticloadbalancing":
      return formParameter(request, "Version") === "2015-12-01"
        ? otherModel(service, "elasticloadbalancingv2")
        : modelFor(service);
    case "apigateway":
      return request.routePath.startsWith("/v2/")
        ? otherModel(service, "apigatewayv2")
        : modelFor(service);
    case "monitoring": {
      const model = modelFor(service);
      const target = request.headers["x-amz-target"];
      return model !== undefined &&
        typeof target === "string" &&
        target.startsWith(`${CLOUDWATCH_JSON_TARGET}.`)
        ? cloudWatchJson(model)
        : model;
    }
    default:
      return modelFor(service);
  }
}
