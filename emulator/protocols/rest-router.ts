import type { Operation, ServiceModel } from "../model/service-model.js";

type Route = {
  operation: Operation;
  method: string;
  segments: { literal?: string; label?: string; greedy?: boolean }[];
  queryLiterals: [string, string | undefined][];
  score: number;
};

export type RouteMatch = { operation: Operation; labels: Record<string, string> };

/** Matches REST requests to operations by method, path template and literal query keys. */
export function createRestRouter(
  model: ServiceModel,
): (method: string, rawPath: string, query: URLSearchParams) => RouteMatch | undefined {
  const routes: Route[] = [];
  for (const operation of model.operations.values()) {
    const [path = "/", queryPart] = operation.http.requestUri.split("?");
    const segments = path
      .split("/")
      .filter((s) => s !== "")
      .map((s) => {
        const label = /^\{([^}]+?)(\+)?\}$/.exec(s);
        return label === null
          ? { literal: s }
          : { label: label[1] ?? "", greedy: label[2] === "+" };
      });
    const queryLiterals: [string, string | undefined][] = [];
    if (queryPart !== undefined)
      for (const pair of queryPart.split("&")) {
        const [k = "", v] = pair.split("=");
        queryLiterals.push([k, v]);
      }
    const literals = segments.filter((s) => s.literal !== undefined).length;
    routes.push({
      operation,
      method: operation.http.method,
      segments,
      queryLiterals,
      score:
        literals * 10 +
        queryLiterals.length * 5 +
        segments.length -
        (segments.some((s) => s.greedy) ? 1 : 0),
    });
  }
  routes.sort((a, b) => b.score - a.score);
  return (method, rawPath, query) => {
    const parts = rawPath.split("/").filter((s) => s !== "");
    for (const route of routes) {
      if (route.method !== method) continue;
      const labels = matchSegments(route, parts);
      if (labels === undefined) continue;
      if (
        !route.queryLiterals.every(
          ([k, v]) => query.has(k) && (v === undefined || query.get(k) === v),
        )
      )
        continue;
      return { operation: route.operation, labels };
    }
    return undefined;
  };
}

function matchSegments(route: Route, parts: string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let i = 0;
  for (const [index, segment] of route.segments.entries()) {
    if (segment.greedy === true) {
      if (index !== route.segments.length - 1 || i >= parts.length) return undefined;
      labels[segment.label ?? ""] = parts.slice(i).map(decodeURIComponent).join("/");
      return labels;
    }
    const part = parts[i++];
    if (part === undefined) return undefined;
    if (segment.literal !== undefined) {
      if (segment.literal !== part) return undefined;
    } else {
      labels[segment.label ?? ""] = decodeURIComponent(part);
    }
  }
  return i === parts.length ? labels : undefined;
}
