import http from "node:http";
import type { AddressInfo } from "node:net";

export interface LocalServer {
  port: number;
  /** TCP connections the server accepted. */
  connections: number;
  requests: { method: string; url: string; body: string }[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and an ephemeral port, counting what reaches it. */
export async function startLocalServer(
  respond: (request: http.IncomingMessage, body: string, response: http.ServerResponse) => void = (
    request,
    _body,
    response,
  ) => {
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ ok: true, path: request.url }));
  },
  host = "127.0.0.1",
): Promise<LocalServer> {
  const state: LocalServer = {
    port: 0,
    connections: 0,
    requests: [],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      state.requests.push({ method: request.method ?? "", url: request.url ?? "", body });
      respond(request, body, response);
    });
  });
  server.on("connection", () => {
    state.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  state.port = (server.address() as AddressInfo).port;
  return state;
}
