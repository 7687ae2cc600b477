import type { IncomingHttpHeaders } from "node:http";
import { AwsError } from "../aws-error.js";
import type { Operation, ServiceModel } from "../model/service-model.js";
import { parseQueryInput } from "./parse-query-input.js";
import { parseRestInput } from "./parse-rest-input.js";
import { createRestRouter, type RouteMatch } from "./rest-router.js";

export type ProtocolRequest = {
  method: string;
  /** The path operations are routed on (for virtual-hosted S3, with the bucket prepended). */
  routePath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
};

export type ResolvedOperation = {
  operation: Operation;
  labels: Record<string, string>;
  form: URLSearchParams | undefined;
};

const routers = new WeakMap<ServiceModel, ReturnType<typeof createRestRouter>>();

/** Finds the operation a request calls, the way each protocol names it. */
export function resolveOperation(model: ServiceModel, request: ProtocolRequest): ResolvedOperation {
  switch (model.protocol) {
    case "query":
    case "ec2": {
      const form = new URLSearchParams(request.query);
      if (request.method === "POST")
        for (const [k, v] of new URLSearchParams(request.body.toString("utf8"))) form.append(k, v);
      const action = form.get("Action") ?? "";
      const operation = model.operations.get(action);
      if (operation === undefined)
        throw new AwsError(
          "InvalidAction",
          `The action ${action} is not valid for this web service.`,
          400,
        );
      return { operation, labels: {}, form };
    }
    case "json": {
      const target = String(request.headers["x-amz-target"] ?? "");
      const dot = target.lastIndexOf(".");
      const operation =
        target.slice(0, dot) === model.targetPrefix
          ? model.operations.get(target.slice(dot + 1))
          : undefined;
      if (operation === undefined) throw new AwsError("UnknownOperationException", "", 400);
      return { operation, labels: {}, form: undefined };
    }
    case "rest-json":
    case "rest-xml": {
      let router = routers.get(model);
      if (router === undefined) {
        router = createRestRouter(model);
        routers.set(model, router);
      }
      const match: RouteMatch | undefined = router(
        request.method,
        request.routePath,
        request.query,
      );
      if (match === undefined)
        throw model.protocol === "rest-xml"
          ? new AwsError(
              "MethodNotAllowed",
              "The specified method is not allowed against this resource.",
              405,
            )
          : new AwsError("UnknownOperationException", "Unknown operation", 404);
      return { operation: match.operation, labels: match.labels, form: undefined };
    }
  }
}

/** Turns the request into the operation's input object with the protocol's own parser. */
export function parseInput(
  model: ServiceModel,
  resolved: ResolvedOperation,
  request: ProtocolRequest,
): Record<string, unknown> {
  const shape = resolved.operation.input;
  try {
    switch (model.protocol) {
      case "query":
      case "ec2":
        return parseQueryInput(
          shape,
          resolved.form ?? new URLSearchParams(),
          model.protocol === "ec2",
        );
      case "json":
        return request.body.length === 0
          ? {}
          : (JSON.parse(request.body.toString("utf8")) as Record<string, unknown>);
      case "rest-json":
      case "rest-xml":
        return parseRestInput(
          shape,
          {
            labels: resolved.labels,
            query: request.query,
            headers: request.headers,
            body: request.body,
          },
          model.protocol === "rest-json" ? "json" : "xml",
        );
    }
  } catch (error) {
    if (error instanceof AwsError) throw error;
    throw model.protocol === "rest-xml"
      ? new AwsError(
          "MalformedXML",
          "The XML you provided was not well-formed or did not validate against our published schema",
          400,
        )
      : new AwsError("SerializationException", "Could not parse the request body", 400);
  }
}
