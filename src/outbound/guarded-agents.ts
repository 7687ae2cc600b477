import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { Duplex } from "node:stream";
import type { AllowList, Destination } from "./allow-list.js";
import { outboundRefused } from "./outbound-refused.js";
import type { Resolver } from "./resolver.js";

/** An org's list, and which version of it (bumped on every change). */
export interface CheckedList {
  list: AllowList;
  generation: number;
}

/** What an agent needs to check a connection of its org. */
export interface ConnectionGuard {
  /** The list as of the last request through the front door, so the usual path stays synchronous. */
  latest(): CheckedList | undefined;
  load(): Promise<CheckedList>;
  generation(): number;
  resolver: Resolver;
}

/** The list generation each socket was approved under. */
const approvedUnder = new WeakMap<Duplex, number>();

type ConnectCallback = (err: Error | null, stream: Duplex) => void;

function destinationOfConnection(
  options: http.ClientRequestArgs,
  defaultPort: number,
): Destination {
  let host = (options.host ?? options.hostname ?? "localhost").toLowerCase();
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  host = host.replace(/\.$/, "");
  return { host, port: options.port == null ? defaultPort : Number(options.port) };
}

/**
 * The DNS step of the connection: every answer is checked before net connects to one, so a name
 * that passed the host check cannot be pointed at 169.254.169.254 or 127.0.0.1 (DNS rebinding).
 * One bad answer refuses the whole name: a mixed answer is itself a sign of tampering.
 */
function guardedLookup(
  list: AllowList,
  destination: Destination,
  resolver: Resolver,
): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname).then(
      (answers) => {
        for (const answer of answers) {
          const refusal = list.checkAddress(destination, answer.address);
          if (refusal !== undefined) return callback(outboundRefused(refusal), "", 0);
        }
        const wanted =
          options.family === 4 || options.family === 6
            ? answers.filter((a) => a.family === options.family)
            : answers;
        const first = wanted[0];
        if (first === undefined) {
          const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          error.code = "ENOTFOUND";
          return callback(error, "", 0);
        }
        if (options.all === true) return callback(null, wanted);
        return callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}

/**
 * Checks the host as written (names and literal IPs, which net would connect to without any
 * lookup) before a socket exists, then opens the socket with the guarded lookup.
 */
function connectGuarded(
  guard: ConnectionGuard,
  options: http.ClientRequestArgs,
  defaultPort: number,
  open: (options: http.ClientRequestArgs) => Duplex,
  callback: ConnectCallback | undefined,
): Duplex | undefined {
  if (callback === undefined) throw new TypeError("the guarded agent needs a connect callback");
  const destination = destinationOfConnection(options, defaultPort);
  const connect = ({ list, generation }: CheckedList): Duplex => {
    const refusal = list.checkDestination(destination);
    if (refusal !== undefined) throw outboundRefused(refusal);
    const socket = open({ ...options, lookup: guardedLookup(list, destination, guard.resolver) });
    approvedUnder.set(socket, generation);
    return socket;
  };
  const latest = guard.latest();
  // Synchronous when possible: the agent counts sockets against maxSockets only once it has one.
  if (latest !== undefined) {
    try {
      return connect(latest);
    } catch (error) {
      // Through the callback, so the request emits the refusal as its 'error' (never a throw
      // out of http.request into a caller's promise executor).
      callback(error as Error, undefined as unknown as Duplex);
      return undefined;
    }
  }
  guard.load().then(
    (checked) => {
      let socket: Duplex;
      try {
        socket = connect(checked);
      } catch (error) {
        return callback(error as Error, undefined as unknown as Duplex);
      }
      callback(null, socket);
    },
    (error: Error) => callback(error, undefined as unknown as Duplex),
  );
  return undefined;
}

/**
 * Keep-alive only for sockets approved under the org's current list: after a change, a socket
 * approved under the old list finishes its request and closes instead of returning to the pool.
 */
function keepAliveAllowed(guard: ConnectionGuard, socket: Duplex): boolean {
  return approvedUnder.get(socket) === guard.generation();
}

/**
 * A freed socket goes straight to a queued request without asking keepSocketAlive; listening
 * first on 'free' closes an old-generation socket before that hand-off, and the agent then
 * opens a fresh (checked) socket for the queued request.
 */
function refuseStaleHandOff(agent: http.Agent, guard: ConnectionGuard): void {
  agent.prependListener("free", (socket: Duplex) => {
    if (!keepAliveAllowed(guard, socket)) socket.destroy();
  });
}

/** Closes the idle pooled sockets, after a list change. */
function dropIdleSockets(agent: http.Agent): void {
  for (const sockets of Object.values(agent.freeSockets))
    for (const s of sockets ?? []) s.destroy();
}

/** An org's keep-alive agent for http: every socket it opens passes the org's allow-list. */
export class GuardedHttpAgent extends http.Agent {
  readonly guard: ConnectionGuard;

  constructor(guard: ConnectionGuard, options: http.AgentOptions) {
    super(options);
    this.guard = guard;
    refuseStaleHandOff(this, guard);
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: ConnectCallback,
  ): Duplex | null | undefined {
    return connectGuarded(
      this.guard,
      options,
      80,
      (o) => super.createConnection(o) as Duplex,
      callback,
    );
  }

  override keepSocketAlive(socket: Duplex): boolean {
    if (!keepAliveAllowed(this.guard, socket)) return false;
    // @types/node says void; Node uses the result to pool the socket or destroy it.
    return super.keepSocketAlive(socket) as unknown as boolean;
  }

  dropIdleSockets(): void {
    dropIdleSockets(this);
  }
}

/** The same for https; TLS verification stays Node's default (it is never turned off). */
export class GuardedHttpsAgent extends https.Agent {
  readonly guard: ConnectionGuard;

  constructor(guard: ConnectionGuard, options: https.AgentOptions) {
    super(options);
    this.guard = guard;
    refuseStaleHandOff(this, guard);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: ConnectCallback,
  ): Duplex | null | undefined {
    return connectGuarded(
      this.guard,
      options,
      443,
      (o) => super.createConnection(o) as Duplex,
      callback,
    );
  }

  override keepSocketAlive(socket: Duplex): boolean {
    if (!keepAliveAllowed(this.guard, socket)) return false;
    // @types/node says void; Node uses the result to pool the socket or destroy it.
    return super.keepSocketAlive(socket) as unknown as boolean;
  }

  dropIdleSockets(): void {
    dropIdleSockets(this);
  }
}
