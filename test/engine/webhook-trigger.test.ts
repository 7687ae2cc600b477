import { createHmac } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { databaseText } from "../helpers/database-text.js";
import { engineStage, saveWorkflow, waitForRun, type EngineStage } from "./engine-world.js";

function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

describeEachDatabase("a webhook trigger", (suite) => {
  let stage: EngineStage;
  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, 1);
  });
  afterAll(async () => {
    await stage.close();
  });

  async function runCount(name: string): Promise<number> {
    const response = await stage.t.call("GET", `/api/v1/runs?workflow=${name}&limit=500`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ items: unknown[] }>().items.length;
  }

  it("refuses unsigned, wrongly signed, stale and replayed deliveries, and runs a signed one", async () => {
    const name = "webhook-signed-clusters";
    const definition = `name: ${name}
inputs:
  region: { type: string, default: us-east-1 }
steps:
  - id: clusters
    action: aws.ecs.listClusters
    connection: member-1
    region: \${{ inputs.region }}
triggers:
  - webhook: {}
`;
    const saved = await saveWorkflow(stage.t, definition);
    const secret = saved.webhookSecret;
    expect(secret).toEqual(expect.any(String));
    if (secret === undefined) return;
    // Shown once: saving again does not show it.
    const resaved = await saveWorkflow(stage.t, `${definition}description: saved again\n`);
    expect(resaved.webhookSecret).toBeUndefined();

    const url = `/api/v1/hooks/default/${name}`;
    const body = JSON.stringify({ inputs: { region: "eu-west-1" } });
    const post = (headers: Record<string, string>) =>
      stage.t.call("POST", url, {
        token: null,
        body,
        headers: { "content-type": "application/json", ...headers },
      });
    const now = String(Math.floor(Date.now() / 1000));
    const runsBefore = await runCount(name);

    const refusals = [
      await post({}),
      await post({ "x-switchboard-timestamp": now, "x-switchboard-signature": "sha256=00" }),
      await post({
        "x-switchboard-timestamp": now,
        "x-switchboard-signature": sign("whsec_not-the-secret", now, body),
      }),
      await post({
        "x-switchboard-timestamp": now,
        "x-switchboard-signature": sign(secret, now, `${body} `),
      }),
    ];
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    refusals.push(
      await post({
        "x-switchboard-timestamp": old,
        "x-switchboard-signature": sign(secret, old, body),
      }),
    );
    for (const refused of refusals) {
      expect(refused.statusCode, refused.body).toBe(401);
      expect(refused.json<{ error: { code: string } }>().error.code).toBe(
        "WEBHOOK_SIGNATURE_INVALID",
      );
    }
    expect(await runCount(name)).toBe(runsBefore);

    const signed = {
      "x-switchboard-timestamp": now,
      "x-switchboard-signature": sign(secret, now, body),
    };
    const accepted = await post(signed);
    expect(accepted.statusCode, accepted.body).toBe(202);
    const id = accepted.json<{ id: string }>().id;
    const run = await waitForRun(stage.t, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    const detail = (await stage.t.call("GET", `/api/v1/runs/${id}`)).json<{
      trigger: string;
      actor: string;
      input: unknown;
    }>();
    expect(detail).toMatchObject({
      trigger: "webhook",
      actor: "webhook",
      input: { region: "eu-west-1" },
    });

    const replayed = await post(signed);
    expect(replayed.statusCode, replayed.body).toBe(409);
    expect(replayed.json<{ error: { code: string } }>().error.code).toBe("WEBHOOK_REPLAYED");
    expect(await runCount(name)).toBe(runsBefore + 1);

    // The secret is nowhere to be read again: not in the API, the logs or the database.
    const shown = await stage.t.call("GET", `/api/v1/workflows/${name}`);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).not.toContain(secret);
    const random = secret.replace(/^whsec_/, "");
    expect(random.length).toBeGreaterThan(20);
    expect(stage.t.logs.join("\n")).not.toContain(random);
    const stored = await databaseText(suite);
    expect(stored).toContain(name);
    expect(stored).not.toContain(random);
    expect(stored).not.toContain(Buffer.from(random, "base64url").toString("latin1"));
    expect(stored).not.toContain(Buffer.from(random, "base64url").toString("hex"));
  });
});
