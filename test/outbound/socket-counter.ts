import diagnostics from "node:diagnostics_channel";

/**
 * Counts every client socket Node creates (net.connect, tls.connect, any agent), through the
 * `net.client.socket` diagnostics channel: a refusal "before any socket opens" must leave it at 0.
 */
export function countClientSockets(): { readonly count: number; stop(): void } {
  let count = 0;
  const onSocket = () => {
    count += 1;
  };
  diagnostics.subscribe("net.client.socket", onSocket);
  return {
    get count() {
      return count;
    },
    stop: () => diagnostics.unsubscribe("net.client.socket", onSocket),
  };
}
