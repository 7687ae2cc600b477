import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { signInAsMember } from "../helpers/member.js";
import { engineStage, saveWorkflow, type EngineStage } from "./engine-world.js";

interface Preflight {
  runAs: string;
  ok: boolean;
  steps: { id: string; iamActions: string[]; targets: { connection: string; outcome: string }[] }[];
  missingGrants: { step: string; connection: string; role: string; reason: string }[];
  accessRefusals: {
    step: string;
    connection: string;
    iamAction: string;
    accessLevel: string;
    access: string;
  }[];
  permissions: {
    connection: string;
    iamActions: string[];
    policy: { Statement: { Action?: unknown }[] };
  }[];
}

describeEachDatabase("preflight before a run", (suite) => {
  let stage: EngineStage;
  beforeAll(async () => {
    stage = await engineStage(suite.handle().db, 2);
  });
  afterAll(async () => {
    await stage.close();
  });

  it("names a missing grant, an access refusal and each connection's IAM policy, sending nothing", async () => {
    const member = "preflight-member";
    const token = await signInAsMember(stage.t, member);
    const granted = await stage.t.call("PUT", "/api/v1/connections/member-1/grants", {
      body: [{ principal: `user:${member}`, role: "executor" }],
    });
    expect(granted.statusCode, granted.body).toBe(200);
    const name = "preflight-checks";
    await saveWorkflow(
      stage.t,
      `name: ${name}
steps:
  - id: clusters
    action: aws.ecs.listClusters
    connections: [member-1, member-2]
    region: us-east-1
  - id: terminate
    action: aws.call
    connection: member-1
    region: us-east-1
    input:
      service: ec2
      operation: TerminateInstances
      input: { InstanceIds: [i-0123456789abcdef0] }
`,
    );
    const callsBefore = stage.emulator.counters().total;

    const response = await stage.t.call("POST", `/api/v1/workflows/${name}/preflight`, {
      token,
      body: { inputs: {} },
    });
    expect(response.statusCode, response.body).toBe(200);
    const preflight = response.json<Preflight>();
    expect(preflight.runAs).toBe(member);
    expect(preflight.ok).toBe(false);
    expect(preflight.missingGrants).toEqual([
      expect.objectContaining({ step: "clusters", connection: "member-2", role: "executor" }),
    ]);
    expect(preflight.accessRefusals).toEqual([
      {
        step: "terminate",
        connection: "member-1",
        iamAction: "ec2:TerminateInstances",
        accessLevel: "Write",
        access: "read",
      },
    ]);
    expect(preflight.steps.map((s) => [s.id, s.iamActions])).toEqual([
      ["clusters", ["ecs:ListClusters"]],
      ["terminate", ["ec2:TerminateInstances"]],
    ]);
    expect(preflight.steps[0]?.targets).toEqual([
      expect.objectContaining({ connection: "member-2", outcome: "refused" }),
      expect.objectContaining({ connection: "member-1", outcome: "runs" }),
    ]);
    expect(preflight.permissions.map((p) => [p.connection, p.iamActions])).toEqual([
      ["member-1", ["ecs:ListClusters"]],
    ]);
    expect(JSON.stringify(preflight.permissions[0]?.policy.Statement)).toContain(
      "ecs:ListClusters",
    );
    expect(stage.emulator.counters().total).toBe(callsBefore);

    // Starting it is refused before anything exists, naming the step and the connection.
    const runsBefore = await stage.t.call("GET", `/api/v1/runs?workflow=${name}`);
    const refused = await stage.t.call("POST", `/api/v1/workflows/${name}/runs`, {
      token,
      body: { inputs: {} },
    });
    expect(refused.statusCode, refused.body).toBe(403);
    const message = refused.json<{ error: { message: string } }>().error.message;
    expect(message).toContain("step clusters");
    expect(message).toContain("member-2");
    const runsAfter = await stage.t.call("GET", `/api/v1/runs?workflow=${name}`);
    expect(runsAfter.json<{ items: unknown[] }>().items).toEqual(
      runsBefore.json<{ items: unknown[] }>().items,
    );
    expect(runsAfter.json<{ items: unknown[] }>().items).toEqual([]);
    expect(stage.emulator.counters().total).toBe(callsBefore);
  });
});
