import { setMaxListeners } from "node:events";

/**
 * A signal that many AWS calls listen on at once (the SDK's retry adds a listener per call in
 * flight, and removes it when the call ends): no MaxListenersExceededWarning past 10, which
 * would report a leak that is not one.
 */
export function forManyCalls(signal: AbortSignal): AbortSignal {
  setMaxListeners(0, signal);
  return signal;
}
