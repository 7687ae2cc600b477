/// <reference lib="webworker" />
/**
 * The diagram's layout off the main thread: the page posts the visible nodes, the worker answers
 * their positions (and how long it took, for the bench). A request carries an id; the page
 * applies only the answer to its latest one.
 */
import { layoutDiagram, type LayoutNode, type LayoutResult } from "./layout";

export interface LayoutRequest {
  id: number;
  nodes: LayoutNode[];
}

export interface LayoutResponse extends LayoutResult {
  id: number;
  ms: number;
}

self.onmessage = (event: MessageEvent<LayoutRequest>) => {
  const started = performance.now();
  const result = layoutDiagram(event.data.nodes);
  const response: LayoutResponse = {
    id: event.data.id,
    ...result,
    ms: performance.now() - started,
  };
  self.postMessage(response);
};
