import { Writable } from "node:stream";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { bootstrap } from "../../src/access/index.js";
import type { Clock } from "../../src/clock.js";
import type { Db } from "../../src/db/index.js";
import { buildApp } from "../../src/http/index.js";
import { createLogger } from "../../src/logger.js";

export const ADMIN_TOKEN = "sb_admin_test_token";

export interface TestApp {
  app: FastifyInstance;
  /** Every log line the app wrote, for tests that look for leaks. */
  logs: string[];
  call(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    url: string,
    options?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** Builds the real app on a test database, bootstrapped with an admin token. */
export async function createTestApp(
  db: Db,
  options: { clock?: Clock; dev?: boolean } = {},
): Promise<TestApp> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString("utf8"));
      callback();
    },
  });
  const logger = createLogger("info", sink);
  const clock = options.clock ?? { now: () => new Date() };
  const deps = {
    db,
    clock,
    publicUrl: "http://switchboard.test",
    sessionMaxAgeSeconds: 3600,
    logger,
    dev: options.dev ?? false,
    version: "test",
  };
  await bootstrap(deps, { bootstrapToken: ADMIN_TOKEN });
  const app = await buildApp(deps);
  await app.ready();
  return {
    app,
    logs,
    call: (method, url, o = {}) => {
      const token = o.token === undefined ? ADMIN_TOKEN : o.token;
      return app.inject({
        method,
        url,
        headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...o.headers },
        ...(o.body === undefined ? {} : { payload: o.body as object }),
      });
    },
    close: () => app.close(),
  };
}
