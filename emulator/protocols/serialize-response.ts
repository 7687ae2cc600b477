import type { AwsError } from "../aws-error.js";
import type { Operation, ServiceModel } from "../model/service-model.js";
import { serializeJsonError, serializeJsonOutput } from "./json-protocol.js";
import {
  serializeEc2Error,
  serializeEc2Output,
  serializeQueryError,
  serializeQueryOutput,
} from "./query-protocol.js";
import { serializeRestJsonError, serializeRestJsonOutput } from "./rest-json-protocol.js";
import { serializeRestXmlError, serializeRestXmlOutput } from "./rest-xml-protocol.js";
import type { WireResponse } from "./wire-response.js";

export function serializeOutput(
  model: ServiceModel,
  operation: Operation,
  output: Record<string, unknown>,
  requestId: string,
): WireResponse {
  switch (model.protocol) {
    case "query":
      return serializeQueryOutput(model, operation, output, requestId);
    case "ec2":
      return serializeEc2Output(model, operation, output, requestId);
    case "json":
      return serializeJsonOutput(model, operation, output, requestId);
    case "rest-json":
      return serializeRestJsonOutput(operation, output, requestId);
    case "rest-xml":
      return serializeRestXmlOutput(operation, output, requestId);
  }
}

export function serializeError(
  model: ServiceModel,
  error: AwsError,
  requestId: string,
): WireResponse {
  switch (model.protocol) {
    case "query":
      return serializeQueryError(model, error, requestId);
    case "ec2":
      return serializeEc2Error(error, requestId);
    case "json":
      return serializeJsonError(model, error, requestId);
    case "rest-json":
      return serializeRestJsonError(model, error, requestId);
    case "rest-xml":
      return serializeRestXmlError(error, requestId);
  }
}
