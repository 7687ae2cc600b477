import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { controlRoute } from "./control-routes.js";
import { MetadataEndpoints } from "./credentials/metadata-endpoints.js";
import type { EmulatorParts } from "./emulator-parts.js";
import { handleAwsRequest } from "./handle-aws-request.js";
import { createAuthorizer, type Authorizer } from "./iam/authorizer.js";
import { SessionStore } from "./iam/session-store.js";
import { emptyCounters, resetCounters, type CallCounters } from "./knobs/counters.js";
import { resolveKnobs, type Knobs, type KnobsInput } from "./knobs/knobs.js";
import { TokenBuckets } from "./knobs/token-buckets.js";
import { loadServiceModel, type ServiceModel } from "./model/service-model.js";
import type { ProtocolRequest } from "./protocols/parse-request.js";
import type { WireResponse } from "./protocols/wire-response.js";
import { SignatureVerifiers } from "./sigv4/compute-signature.js";
import { decodeAwsChunked } from "./sigv4/decode-aws-chunked.js";
import { OidcKeyCache } from "./services/web-identity.js";
import { buildWorld, loadWorld } from "./world/load-world.js";
import type { WorldInput } from "./world/world-schema.js";
import type { World } from "./world/world.js";

export type EmulatorOptions = {
  /** A loaded world, a world object, or the path of a YAML/JSON world file. */
  world: World | WorldInput | string;
  port?: number;
  host?: string;
  knobs?: KnobsInput;
  /** The emulator's clock; tests move it to expire sessions. */
  now?: () => Date;
  /** Source of randomness for fault injection. */
  random?: () => number;
};

export type Emulator = {
  url: string;
  port: number;
  world: World;
  readonly knobs: Knobs;
  setKnobs(knobs: KnobsInput): void;
  counters(): CallCounters;
  resetCounters(): void;
  /**
   * Revokes every session STS, IMDS and the container endpoint issued, or only one role's (by
   * ARN), as an emulator restart does; returns how many. Their calls then fail as AWS answers an
   * unknown key.
   */
  revokeSessions(roleArn?: string): number;
  authorizer: Authorizer;
  close(): Promise<void>;
};

function isWorld(value: EmulatorOptions["world"]): value is World {
  return typeof value === "object" && value.accounts instanceof Map;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () =>
      resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks)),
    );
    req.on("error", reject);
  });
}

// Virtual-hosted S3 requests carry the bucket in the host name instead of the path.
function bucketFromHost(host: string): string | undefined {
  const name = host.replace(/:\d+$/, "");
  return (
    /^(.+)\.s3[.-](?:[a-z0-9-]+\.)*amazonaws\.com$/.exec(name)?.[1] ??
    /^(.+)\.localhost$/.exec(name)?.[1]
  );
}

function protocolRequest(
  req: IncomingMessage,
  body: Buffer,
  rawPath: string,
  rawQuery: string,
): ProtocolRequest {
  const contentSha = req.headers["x-amz-content-sha256"];
  const chunked =
    (typeof contentSha === "string" && contentSha.startsWith("STREAMING-")) ||
    String(req.headers["content-encoding"] ?? "").includes("aws-chunked");
  const bucket = bucketFromHost(String(req.headers.host ?? ""));
  return {
    method: req.method ?? "GET",
    routePath: bucket !== undefined ? `/${bucket}${rawPath}` : rawPath,
    query: new URLSearchParams(rawQuery),
    headers: req.headers,
    body: chunked ? decodeAwsChunked(body) : body,
  };
}

/** Starts one emulator on its own listener; several may run in one process. */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const world = isWorld(options.world)
    ? options.world
    : typeof options.world === "string"
      ? await loadWorld(options.world)
      : buildWorld(options.world);
  const now = options.now ?? (() => new Date());
  const models = new Map<string, ServiceModel | undefined>();
  const sessions = new SessionStore();
  const parts: EmulatorParts = {
    world,
    now,
    random: options.random ?? Math.random,
    knobs: resolveKnobs(options.knobs),
    counters: emptyCounters(),
    inFlight: new Map(),
    sessions,
    authorizer: createAuthorizer(),
    buckets: new TokenBuckets(),
    oidcKeys: new OidcKeyCache(),
    verifiers: new SignatureVerifiers(),
    modelFor(service) {
      if (!models.has(service)) models.set(service, loadServiceModel(service));
      return models.get(service);
    },
    state: new Map(),
  };
  const metadata = new MetadataEndpoints({ world, sessions, now });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const clientGone = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) clientGone.abort();
    });
    const body = await readBody(req);
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q === -1 ? "" : rawUrl.slice(q + 1);
    let response: WireResponse | undefined = controlRoute(
      parts,
      method,
      rawPath,
      new URLSearchParams(rawQuery),
      body,
    );
    if (response === undefined && req.headers.authorization === undefined)
      response = metadata.handle(method, rawPath, req.headers);
    response ??= await handleAwsRequest(
      parts,
      protocolRequest(req, body, rawPath, rawQuery),
      rawPath,
      rawQuery,
      clientGone.signal,
    );
    // A known length, as AWS sends, also spares chunked encoding's extra write per response.
    response.headers["content-length"] = String(Buffer.byteLength(response.body));
    res.writeHead(response.status, response.headers);
    res.end(method === "HEAD" ? undefined : response.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`emulator error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  server.on("connection", () => {
    parts.counters.connections++;
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    world,
    get knobs() {
      return parts.knobs;
    },
    setKnobs(next) {
      Object.assign(parts.knobs, next);
    },
    counters: () => structuredClone(parts.counters),
    resetCounters() {
      resetCounters(parts.counters);
      parts.buckets.clear();
    },
    revokeSessions: (roleArn) => sessions.revoke(roleArn),
    authorizer: parts.authorizer,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
