import http from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Refused, type SwitchboardError } from "../../src/errors.js";
import {
  createOutbound,
  DEFAULT_ALLOW_LIST,
  type Outbound,
  type Resolver,
} from "../../src/outbound/index.js";
import { startLocalServer, type LocalServer } from "./local-server.js";
import { countClientSockets } from "./socket-counter.js";
import { staticAllowLists } from "./static-allow-lists.js";

/** A DNS that answers what the test says, as a hostile or misconfigured one would. */
function fakeDns(answers: Record<string, string[]>): Resolver {
  return (hostname) => {
    const addresses = answers[hostname];
    if (addresses === undefined)
      return Promise.reject(
        Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }),
      );
    return Promise.resolve(
      addresses.map((address) => ({
        address,
        family: address.includes(":") ? (6 as const) : (4 as const),
      })),
    );
  };
}

async function refusal(promise: Promise<unknown>): Promise<SwitchboardError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Refused);
  expect((error as SwitchboardError).code).toBe("OUTBOUND_REFUSED");
  return error as SwitchboardError;
}

describe("outbound layer", () => {
  let server: LocalServer;
  let outbound: Outbound | undefined;
  let sockets: ReturnType<typeof countClientSockets>;

  beforeAll(async () => {
    server = await startLocalServer((request, _body, response) => {
      const answer = () => {
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify({ ok: true, path: request.url }));
      };
      if (request.url === "/slow") setTimeout(answer, 100);
      else answer();
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.connections = 0;
    server.requests = [];
    sockets = countClientSockets();
  });
  afterEach(() => {
    sockets.stop();
    outbound?.close();
    outbound = undefined;
  });

  function layer(lists: Record<string, string[]>, answers?: Record<string, string[]>) {
    const allowLists = staticAllowLists(lists);
    outbound = createOutbound({
      allowLists,
      ...(answers === undefined ? {} : { resolver: fakeDns(answers) }),
    });
    return { outbound, allowLists };
  }

  it("refuses http://169.254.169.254/ before any socket opens, whatever the list says", async () => {
    const { outbound } = layer({ org: [...DEFAULT_ALLOW_LIST, "*.example.com"] });
    const error = await refusal(
      outbound.request("org", "http://169.254.169.254/latest/meta-data/"),
    );
    expect(error.message).toContain("169.254.169.254");
    expect(error.message).toMatch(/link-local or instance-metadata/);
    await refusal(outbound.request("org", "http://[fd00:ec2::254]/latest/meta-data/"));
    await refusal(outbound.request("org", "http://[::ffff:169.254.169.254]/"));
    expect(sockets.count).toBe(0);
  });

  it("refuses an unlisted host before any socket opens, naming the host and the setting", async () => {
    const { outbound } = layer({ org: [...DEFAULT_ALLOW_LIST] });
    const error = await refusal(outbound.request("org", `http://localhost:${server.port}/hook`));
    expect(error.message).toContain(`localhost:${server.port}`);
    expect(error.message).toContain("Settings → Outbound allow-list");
    expect(error.message).toContain("PUT /api/v1/settings/outbound");
    expect(error.status).toBe(403);
    expect(sockets.count).toBe(0);
    expect(server.connections).toBe(0);
  });

  it("checks a literal-IP URL without DNS: loopback needs an address pattern", async () => {
    const { outbound, allowLists } = layer({ org: [...DEFAULT_ALLOW_LIST, "localhost"] });
    await refusal(outbound.request("org", `http://127.0.0.1:${server.port}/`));
    // Odd spellings of 127.0.0.1 are normalised by URL parsing before the check.
    await refusal(outbound.request("org", `http://0x7f.1:${server.port}/`));
    await refusal(outbound.request("org", `http://2130706433:${server.port}/`));
    expect(sockets.count).toBe(0);
    allowLists.set("org", [`127.0.0.1:${server.port + 1}`]);
    outbound.allowListChanged("org");
    await refusal(outbound.request("org", `http://127.0.0.1:${server.port}/`));
    expect(server.connections).toBe(0);
  });

  it("allows a listed address: the real request succeeds", async () => {
    const { outbound } = layer({ org: [`127.0.0.1:${server.port}`] });
    const response = await outbound.request("org", `http://127.0.0.1:${server.port}/jwks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hello: "world" }),
    });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ ok: true, path: "/jwks" });
    expect(server.requests).toEqual([{ method: "POST", url: "/jwks", body: '{"hello":"world"}' }]);
  });

  it("allows an exactly listed localhost name to reach its loopback address (real DNS)", async () => {
    const { outbound } = layer({ org: [`localhost:${server.port}`] });
    const response = await outbound.request("org", `http://localhost:${server.port}/`);
    expect(response.status).toBe(200);
  });

  it("refuses a wildcard-allowed name whose DNS answer is loopback, and no connection reaches it", async () => {
    const { outbound } = layer({ org: ["*.example.test"] }, { "api.example.test": ["127.0.0.1"] });
    const error = await refusal(outbound.request("org", `http://api.example.test:${server.port}/`));
    expect(error.message).toContain("api.example.test resolves to 127.0.0.1");
    expect(error.message).toContain(`127.0.0.1:${server.port}`);
    expect(server.connections).toBe(0);
  });

  it("refuses an exactly listed dotted name that rebinds to loopback until the address itself is listed", async () => {
    const answers = { "hooks.example.test": ["127.0.0.1"] };
    const { outbound, allowLists } = layer({ org: [`hooks.example.test:${server.port}`] }, answers);
    await refusal(outbound.request("org", `http://hooks.example.test:${server.port}/`));
    expect(server.connections).toBe(0);
    allowLists.set("org", [`hooks.example.test:${server.port}`, `127.0.0.1:${server.port}`]);
    outbound.allowListChanged("org");
    const response = await outbound.request("org", `http://hooks.example.test:${server.port}/`);
    expect(response.status).toBe(200);
    expect(server.connections).toBe(1);
  });

  it("refuses a name when any of its DNS answers is a metadata address", async () => {
    const { outbound } = layer(
      { org: ["*.example.test", `127.0.0.1:${server.port}`] },
      { "mixed.example.test": ["127.0.0.1", "169.254.169.254"] },
    );
    const error = await refusal(
      outbound.request("org", `http://mixed.example.test:${server.port}/`),
    );
    expect(error.message).toContain("169.254.169.254");
    expect(server.connections).toBe(0);
  });

  it("reuses one keep-alive connection for the org's requests", async () => {
    const { outbound } = layer({ org: [`127.0.0.1:${server.port}`] });
    for (let i = 0; i < 3; i += 1)
      expect((await outbound.request("org", `http://127.0.0.1:${server.port}/${i}`)).status).toBe(
        200,
      );
    expect(server.connections).toBe(1);
  });

  it("checks each org's own list and never lends one org's sockets to another", async () => {
    const { outbound } = layer({ a: [`127.0.0.1:${server.port}`], b: [...DEFAULT_ALLOW_LIST] });
    expect((await outbound.request("a", `http://127.0.0.1:${server.port}/`)).status).toBe(200);
    await refusal(outbound.request("b", `http://127.0.0.1:${server.port}/`));
    expect(outbound.agentsFor("a").http).not.toBe(outbound.agentsFor("b").http);
    expect(outbound.agentsFor("a").http).toBe(outbound.agentsFor("a").http);
    expect(server.requests).toHaveLength(1);
  });

  it("applies a shrunk list at once and closes the org's pooled sockets", async () => {
    const { outbound, allowLists } = layer({ org: [`127.0.0.1:${server.port}`] });
    expect((await outbound.request("org", `http://127.0.0.1:${server.port}/`)).status).toBe(200);
    allowLists.set("org", [...DEFAULT_ALLOW_LIST]);
    outbound.allowListChanged("org");
    await refusal(outbound.request("org", `http://127.0.0.1:${server.port}/`));
    expect(server.requests).toHaveLength(1);
  });

  it("never reuses a socket approved under an older list, idle or in flight at the change", async () => {
    const { outbound } = layer({ org: [`127.0.0.1:${server.port}`] });
    const url = `http://127.0.0.1:${server.port}`;
    expect((await outbound.request("org", `${url}/a`)).status).toBe(200);
    outbound.allowListChanged("org");
    expect((await outbound.request("org", `${url}/b`)).status).toBe(200);
    expect(server.connections).toBe(2);
    const slow = outbound.request("org", `${url}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    outbound.allowListChanged("org");
    expect((await slow).status).toBe(200);
    expect((await outbound.request("org", `${url}/c`)).status).toBe(200);
    expect((await outbound.request("org", `${url}/d`)).status).toBe(200);
    // /slow's socket closed after its answer; /c opened a new one that /d reused.
    expect(server.connections).toBe(3);
  });

  it("does not hand a socket from before a change to a request queued behind it", async () => {
    const allowLists = staticAllowLists({ org: [`127.0.0.1:${server.port}`] });
    outbound = createOutbound({ allowLists, maxSocketsPerHost: 1 });
    const url = `http://127.0.0.1:${server.port}`;
    const slow = outbound.request("org", `${url}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const queued = outbound.request("org", `${url}/queued`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    outbound.allowListChanged("org");
    expect((await slow).status).toBe(200);
    expect((await queued).status).toBe(200);
    expect(server.connections).toBe(2);
  });

  it("guards https the same way: refused before a socket, and at the DNS answer", async () => {
    const { outbound } = layer(
      { org: ["*.example.test", `localhost:${server.port}`] },
      { "api.example.test": ["127.0.0.1"], localhost: ["127.0.0.1"] },
    );
    await refusal(outbound.request("org", `https://unlisted.test:${server.port}/`));
    expect(sockets.count).toBe(0);
    await refusal(outbound.request("org", `https://api.example.test:${server.port}/`));
    expect(server.connections).toBe(0);
    // A listed name passes the guard and reaches the server (which speaks plain http, so the
    // TLS handshake then fails: the error is TLS's, not a refusal).
    const error = await outbound.request("org", `https://localhost:${server.port}/`).then(
      () => undefined,
      (e: unknown) => e as SwitchboardError,
    );
    expect(error?.code).not.toBe("OUTBOUND_REFUSED");
    expect(server.connections).toBe(1);
  });

  it("checks a URL to be saved without DNS or sockets", async () => {
    const { outbound } = layer({ org: [...DEFAULT_ALLOW_LIST, "localhost:4566"] }, {});
    await outbound.checkUrl("org", "https://sts.eu-west-1.amazonaws.com");
    await outbound.checkUrl("org", "http://localhost:4566/");
    const error = await refusal(outbound.checkUrl("org", "http://localhost:4567/"));
    expect(error.message).toContain("localhost:4567");
    await refusal(outbound.checkUrl("org", "http://169.254.169.254/"));
    await expect(outbound.checkUrl("org", "file:///etc/passwd")).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
    await expect(outbound.checkUrl("org", "sts.amazonaws.com")).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
    expect(sockets.count).toBe(0);
  });

  it("guards the agents themselves, for a caller that skips the front door", async () => {
    const { outbound } = layer({ org: [...DEFAULT_ALLOW_LIST] });
    const agent = outbound.agentsFor("org").http;
    const error = await new Promise<unknown>((resolve) => {
      const request = http.get({ host: "localhost", port: server.port, agent }, () =>
        resolve(undefined),
      );
      request.on("error", resolve);
    });
    expect((error as SwitchboardError).code).toBe("OUTBOUND_REFUSED");
    expect(sockets.count).toBe(0);
    const literal = await new Promise<unknown>((resolve) => {
      const request = http.get({ host: "127.0.0.1", port: server.port, agent }, () =>
        resolve(undefined),
      );
      request.on("error", resolve);
    });
    expect((literal as SwitchboardError).code).toBe("OUTBOUND_REFUSED");
    expect(server.connections).toBe(0);
  });

  it("opens the ambient escape only for the metadata endpoints, over plain http", async () => {
    const { outbound } = layer({ org: [...DEFAULT_ALLOW_LIST] });
    // allowAmbient is no general bypass: any other destination is still checked.
    await refusal(
      outbound.request("org", `http://127.0.0.1:${server.port}/`, { allowAmbient: true }),
    );
    await refusal(outbound.request("org", "https://169.254.169.254/", { allowAmbient: true }));
    await refusal(outbound.request("org", "http://169.254.169.254:8080/", { allowAmbient: true }));
    expect(sockets.count).toBe(0);
    // The metadata endpoint itself gets past the guard (there is no IMDS here, so it fails later).
    const error = await outbound
      .request("org", "http://169.254.169.254/latest/api/token", {
        allowAmbient: true,
        timeoutMs: 300,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((error as SwitchboardError | undefined)?.code).not.toBe("OUTBOUND_REFUSED");
  });
});
