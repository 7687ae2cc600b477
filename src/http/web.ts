import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Paths the server answers itself; everything else that is a GET for a page is the web UI's. */
const SERVER_PATHS = /^\/(api\/|openapi\.json|healthz|readyz|metrics|\.well-known\/)/;

// Strict by default: the UI loads only its own files and talks only to its own origin.
// Mantine sets CSS variables and positions through style attributes, hence 'unsafe-inline' for styles only.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

/** The built UI (`npm run build` writes it to dist/web), found from the package root. */
export function defaultWebDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.join(dir, "dist", "web");
}

function securityHeaders(reply: FastifyReply): void {
  void reply.header("content-security-policy", CONTENT_SECURITY_POLICY);
  void reply.header("x-content-type-options", "nosniff");
  void reply.header("referrer-policy", "no-referrer");
  void reply.header("x-frame-options", "DENY");
}

export function wantsPage(request: FastifyRequest): boolean {
  const url = request.url.split("?")[0] ?? "/";
  return (request.method === "GET" || request.method === "HEAD") && !SERVER_PATHS.test(url);
}

/**
 * Serves the single-page app: its hashed assets with a long cache life, and index.html for every
 * other page path so deep links and reloads work (the router in the browser picks the page).
 */
export async function registerWeb(app: FastifyInstance, dir: string): Promise<boolean> {
  if (!fs.existsSync(path.join(dir, "index.html"))) return false;
  await app.register(fastifyStatic, {
    root: dir,
    prefix: "/",
    wildcard: false,
    index: false,
    setHeaders: (res, filePath) => {
      void res.header(
        "cache-control",
        filePath.includes(`${path.sep}assets${path.sep}`)
          ? "public, max-age=31536000, immutable"
          : "no-cache",
      );
    },
  });
  app.addHook("onSend", async (request, reply) => {
    if (wantsPage(request)) securityHeaders(reply);
  });
  return true;
}

export function sendIndex(reply: FastifyReply): FastifyReply {
  void reply.header("cache-control", "no-cache");
  return reply.sendFile("index.html");
}
