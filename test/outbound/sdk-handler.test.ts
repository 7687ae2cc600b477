import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SwitchboardError } from "../../src/errors.js";
import { createOutbound, DEFAULT_ALLOW_LIST, type Outbound } from "../../src/outbound/index.js";
import { startLocalServer, type LocalServer } from "./local-server.js";
import { countClientSockets } from "./socket-counter.js";
import { staticAllowLists } from "./static-allow-lists.js";

const ACCOUNT = "123456789012";

/** Enough of STS GetCallerIdentity (awsQuery, XML) for the SDK to parse an answer. */
function stsAnswer(response: import("node:http").ServerResponse): void {
  response.setHeader("content-type", "text/xml");
  response.end(
    `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${ACCOUNT}:user/test</Arn><UserId>AIDATEST</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
  );
}

describe("AWS SDK v3 request handler", () => {
  let server: LocalServer;
  let outbound: Outbound | undefined;
  let sockets: ReturnType<typeof countClientSockets>;
  const clients: STSClient[] = [];

  beforeAll(async () => {
    server = await startLocalServer((_request, _body, response) => stsAnswer(response));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.connections = 0;
    server.requests = [];
    sockets = countClientSockets();
  });
  afterEach(() => {
    sockets.stop();
    for (const client of clients.splice(0)) client.destroy();
    outbound?.close();
    outbound = undefined;
  });

  function sts(orgId: string, region = "us-east-1", host = "127.0.0.1"): STSClient {
    if (outbound === undefined) throw new Error("no layer");
    const client = new STSClient({
      region,
      endpoint: `http://${host}:${server.port}`,
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
      requestHandler: outbound.requestHandler(orgId),
      maxAttempts: 3,
    });
    clients.push(client);
    return client;
  }

  it("refuses an endpoint that is not on the org's list before any socket, with no retries", async () => {
    const allowLists = staticAllowLists({ org: [...DEFAULT_ALLOW_LIST] });
    outbound = createOutbound({ allowLists });
    const error = await sts("org")
      .send(new GetCallerIdentityCommand({}))
      .then(
        () => undefined,
        (e: unknown) => e as SwitchboardError,
      );
    expect(error?.code).toBe("OUTBOUND_REFUSED");
    expect(error?.message).toContain(`127.0.0.1:${server.port}`);
    expect(error?.message).toContain("PUT /api/v1/settings/outbound");
    expect(sockets.count).toBe(0);
    expect(server.connections).toBe(0);
    // The refusal is not retriable to the SDK: one attempt, one check.
    expect(allowLists.reads).toBe(1);
  });

  it("refuses an AWS endpoint name whose DNS answer points at loopback", async () => {
    let lookups = 0;
    outbound = createOutbound({
      allowLists: staticAllowLists({ org: [...DEFAULT_ALLOW_LIST] }),
      resolver: (hostname) => {
        lookups += 1;
        return Promise.resolve(
          hostname === "sts.us-east-1.amazonaws.com" ? [{ address: "127.0.0.1", family: 4 }] : [],
        );
      },
    });
    const error = await sts("org", "us-east-1", "sts.us-east-1.amazonaws.com")
      .send(new GetCallerIdentityCommand({}))
      .then(
        () => undefined,
        (e: unknown) => e as SwitchboardError,
      );
    expect(error?.code).toBe("OUTBOUND_REFUSED");
    expect(error?.message).toContain("sts.us-east-1.amazonaws.com resolves to 127.0.0.1");
    expect(server.connections).toBe(0);
    // Not a network error the SDK would retry.
    expect(lookups).toBe(1);
  });

  it("lets a client on an allowed endpoint call it, signed, through the org's agent", async () => {
    outbound = createOutbound({
      allowLists: staticAllowLists({ org: [`127.0.0.1:${server.port}`] }),
    });
    const identity = await sts("org").send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(ACCOUNT);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body).toContain("Action=GetCallerIdentity");
  });

  it("shares one keep-alive agent and its sockets across every client of the org", async () => {
    outbound = createOutbound({
      allowLists: staticAllowLists({ org: [`localhost:${server.port}`] }),
    });
    const east = sts("org", "us-east-1", "localhost");
    const west = sts("org", "eu-west-1", "localhost");
    const eastHandler = east.config.requestHandler as unknown as { httpHandlerConfigs(): unknown };
    const westHandler = west.config.requestHandler as unknown as { httpHandlerConfigs(): unknown };
    for (const client of [east, west, east, west])
      expect((await client.send(new GetCallerIdentityCommand({}))).Account).toBe(ACCOUNT);
    const agentOf = (h: { httpHandlerConfigs(): unknown }) =>
      (h.httpHandlerConfigs() as { httpAgent?: unknown }).httpAgent;
    expect(agentOf(eastHandler)).toBe(outbound.agentsFor("org").http);
    expect(agentOf(westHandler)).toBe(outbound.agentsFor("org").http);
    expect(server.requests).toHaveLength(4);
    expect(server.connections).toBe(1);
    // One client going away must not close the sockets the others share.
    east.destroy();
    expect((await west.send(new GetCallerIdentityCommand({}))).Account).toBe(ACCOUNT);
    expect(server.connections).toBe(1);
  });

  it("lets a client built before a list change follow the new list", async () => {
    const allowLists = staticAllowLists({ org: [`127.0.0.1:${server.port}`] });
    outbound = createOutbound({ allowLists });
    const client = sts("org");
    expect((await client.send(new GetCallerIdentityCommand({}))).Account).toBe(ACCOUNT);
    allowLists.set("org", [...DEFAULT_ALLOW_LIST]);
    outbound.allowListChanged("org");
    const error = await client.send(new GetCallerIdentityCommand({})).then(
      () => undefined,
      (e: unknown) => e as SwitchboardError,
    );
    expect(error?.code).toBe("OUTBOUND_REFUSED");
    allowLists.set("org", [`127.0.0.1:${server.port}`]);
    outbound.allowListChanged("org");
    expect((await client.send(new GetCallerIdentityCommand({}))).Account).toBe(ACCOUNT);
    expect(server.requests).toHaveLength(2);
  });

  it("checks the list of the org the client was built for", async () => {
    outbound = createOutbound({
      allowLists: staticAllowLists({ a: [`127.0.0.1:${server.port}`], b: [...DEFAULT_ALLOW_LIST] }),
    });
    expect((await sts("a").send(new GetCallerIdentityCommand({}))).Account).toBe(ACCOUNT);
    const error = await sts("b")
      .send(new GetCallerIdentityCommand({}))
      .then(
        () => undefined,
        (e: unknown) => e as SwitchboardError,
      );
    expect(error?.code).toBe("OUTBOUND_REFUSED");
    expect(server.requests).toHaveLength(1);
  });
});
