import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../emulator/index.js";
import { SdkClientCache } from "../../src/actions/index.js";
import { findConnection, type Actor } from "../../src/connections/index.js";
import { forManyCalls } from "../../src/fan-out/index.js";
import { targetContext } from "../../src/fan-out/target-context.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { useEmulatorAsInstance, useExternalId } from "../helpers/demo-setup.js";
import { hubAccount, trustingHost } from "../helpers/worlds.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

// SDK clients are shared by every connection of an org with one endpoint (per region and
// service); whom each call acts for travels with the call. These tests hold that sharing to
// what a client per connection and person gave: the right account, the right person's session,
// and no identity at all outside a target.
const HUB = "310000000000";
const ACCOUNTS = ["310000000001", "310000000002"];
const EXTERNAL_ID = "sb-shared-clients-external-id";

describeEachDatabase("shared SDK clients", (suite) => {
  let t: TestApp;
  let emulator: Emulator;
  let restoreEnv: () => void = () => undefined;
  let orgId = "";

  beforeAll(async () => {
    emulator = await startEmulator({
      world: {
        regions: ["us-east-1"],
        accounts: [
          hubAccount(HUB),
          ...ACCOUNTS.map((id) => ({
            id,
            name: `member-${id}`,
            roles: [
              {
                name: "switchboard-read",
                trust: trustingHost(HUB, EXTERNAL_ID),
                policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
              },
            ],
          })),
        ],
      },
    });
    restoreEnv = useEmulatorAsInstance(emulator.url);
    t = await createTestApp(suite.handle().db, { workers: false });
    await t.call("PUT", "/api/v1/settings/outbound", {
      body: { allow: [`127.0.0.1:${emulator.port}`] },
    });
    for (const id of ACCOUNTS) {
      const created = await t.call("POST", "/api/v1/connections", {
        body: {
          name: `member-${id}`,
          method: "assume_role",
          roleArn: `arn:aws:iam::${id}:role/switchboard-read`,
          endpoint: emulator.url,
          regions: ["us-east-1"],
        },
      });
      expect(created.statusCode, created.body).toBe(201);
    }
    await useExternalId(suite.handle().db, EXTERNAL_ID);
    orgId = (await findConnection(suite.handle().db, await defaultOrgId(), `member-${ACCOUNTS[0]}`))
      .orgId;
  });
  afterAll(async () => {
    restoreEnv();
    await t.close();
    await emulator.close();
  });

  async function defaultOrgId(): Promise<string> {
    const org = await suite
      .handle()
      .db.selectFrom("orgs")
      .select("id")
      .where("name", "=", "default")
      .executeTakeFirstOrThrow();
    return org.id;
  }

  const actor = (userName: string, requestId: string): Actor => ({
    orgId,
    orgName: "default",
    userName,
    requestId,
    sourceIp: null,
  });

  it("signs each call for its own connection and person while they share one client", async () => {
    const clients = new SdkClientCache();
    const connections = await Promise.all(
      ACCOUNTS.map((id) => findConnection(suite.handle().db, orgId, `member-${id}`)),
    );
    const people = [actor("alice", "req_alice_1"), actor("bob", "req_bob_1")];
    // Shared by every call, as a run's signal is.
    const signal = forManyCalls(new AbortController().signal);
    const request = { maxItems: undefined, pageSize: undefined, signal };
    // Every (connection, person) pair at once, several calls each, interleaved.
    const calls = connections.flatMap((connection, i) =>
      people.flatMap((person) =>
        Array.from({ length: 4 }, async () => {
          const context = targetContext(
            t.credentials,
            connection,
            "us-east-1",
            person,
            request,
            clients,
          );
          const identity = await context.client(STSClient).send(new GetCallerIdentityCommand({}));
          return { account: ACCOUNTS[i], person: person.userName, identity };
        }),
      ),
    );
    const answers = await Promise.all(calls);
    expect(answers).toHaveLength(16);
    for (const { account, person, identity } of answers) {
      expect(identity.Account).toBe(account);
      // The session names the person (sb-<user>-<request>), so CloudTrail shows who ran it.
      expect(identity.Arn).toMatch(
        new RegExp(`^arn:aws:sts::${account}:assumed-role/switchboard-read/sb-${person}-`),
      );
    }
    // One client served all of them.
    let built = 0;
    clients.get(`${orgId}|${emulator.url}|us-east-1|STSClient`, () => ++built);
    expect(built).toBe(0);
  });

  it("gives a shared client no credentials outside a target, never the host's", async () => {
    const clients = new SdkClientCache();
    const connection = await findConnection(suite.handle().db, orgId, `member-${ACCOUNTS[0]}`);
    const context = targetContext(
      t.credentials,
      connection,
      "us-east-1",
      actor("alice", "req_alice_2"),
      { maxItems: undefined, pageSize: undefined, signal: new AbortController().signal },
      clients,
    );
    const scopedClient = context.client(STSClient);
    expect((await scopedClient.send(new GetCallerIdentityCommand({}))).Account).toBe(ACCOUNTS[0]);
    // The client itself, reached without the target's scope (as a stray reference would).
    const raw = clients.get<STSClient>(`${orgId}|${emulator.url}|us-east-1|STSClient`, () => {
      throw new Error("the client should be cached");
    });
    await expect(raw.send(new GetCallerIdentityCommand({}))).rejects.toThrow(
      /an AWS call outside a target has no credentials/,
    );
  });
});
