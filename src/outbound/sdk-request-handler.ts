import { NodeHttpHandler, type NodeHttpHandlerOptions } from "@smithy/node-http-handler";
import type { HttpRequest, HttpResponse } from "@smithy/protocol-http";
import type { Destination } from "./allow-list.js";
import { destinationOfSdkRequest } from "./destination.js";

type HandleOptions = Parameters<NodeHttpHandler["handle"]>[1];

/**
 * The AWS SDK v3 request handler of one org: NodeHttpHandler on the org's shared keep-alive
 * agents, with the host checked before the SDK's request reaches an agent.
 */
export class GuardedRequestHandler extends NodeHttpHandler {
  readonly #check: (destination: Destination) => Promise<void>;

  constructor(options: NodeHttpHandlerOptions, check: (destination: Destination) => Promise<void>) {
    super(options);
    this.#check = check;
  }

  override async handle(
    request: HttpRequest,
    options?: HandleOptions,
  ): Promise<{ response: HttpResponse }> {
    await this.#check(destinationOfSdkRequest(request));
    return super.handle(request, options);
  }

  /** A client's destroy() must not close the agents every other client of the org shares. */
  override destroy(): void {}
}
