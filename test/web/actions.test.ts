import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_REGIONS, startDemo, type Demo } from "../../scripts/demo-stack.js";
import { apiAs, choose, expectAccessible, signIn, useBrowser } from "../helpers/browser.js";

async function emulatorCalls(demo: Demo): Promise<{ byOperation: Record<string, number> }> {
  const response = await fetch(`${demo.emulator.url}/_emulator/calls`);
  return (await response.json()) as { byOperation: Record<string, number> };
}

describe("web UI: actions and runs", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.close());

  it("alice runs aws.ec2.describeInstances on production and staging in all regions and reads an output", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, "/actions");
    await page.getByRole("table", { name: "Action catalog" }).waitFor();
    await page.getByLabel("Filter Action catalog").fill("DescribeInstances");
    await expectAccessible(page);
    await page.getByRole("link", { name: "aws.ec2.describeInstances" }).click();
    await page.waitForURL(/\/actions\/aws\.ec2\.describeInstances$/);

    await choose(page, "Connections to run on", /^production\b/);
    await choose(page, "Connections to run on", /^staging\b/);
    const targets = DEMO_REGIONS.length * 2;
    await page.getByText(`2 connections · ${targets} targets`).waitFor();
    await page.getByRole("button", { name: "Run", exact: true }).click();

    // Rows stream in; the link to the stored run appears when the last target is done.
    const summary = page.getByRole("group", { name: "Run summary" });
    await summary.getByRole("link", { name: "Open run" }).waitFor();
    expect(await summary.textContent()).toMatch(new RegExp(`^${targets} targets${targets} ok`));
    const table = page.getByRole("table", { name: "Targets" });
    const rows = table.locator("tbody tr");
    expect(await rows.count()).toBe(targets);
    const seen = new Set<string>();
    for (const row of await rows.all()) {
      const cells = await row.locator("td").allTextContents();
      // connection, account, region, status, duration, error, output
      expect(cells[3]).toBe("ok");
      seen.add(`${cells[0]}/${cells[1]}/${cells[2]}`);
    }
    for (const region of DEMO_REGIONS) {
      expect(seen).toContain(`production/222222222222/${region}`);
      expect(seen).toContain(`staging/333333333333/${region}`);
    }

    await page.getByRole("button", { name: "Output of production us-east-1" }).click();
    const output = page.getByRole("region", { name: "Output of production · us-east-1" });
    await output.getByRole("button", { name: "Expand all" }).click();
    for (const id of ["i-0b1b2c3d4e5f60001", "i-0b1b2c3d4e5f60002", "i-0b1b2c3d4e5f60003"])
      await output.getByText(`"${id}"`, { exact: true }).waitFor();
    expect(await output.textContent()).not.toContain("i-0c1b2c3d4e5f60001");
    await output.getByRole("button", { name: "Collapse all" }).click();
    await output.getByText('"i-0b1b2c3d4e5f60001"').waitFor({ state: "detached" });
    await output.getByRole("button", { name: /^output of production us-east-1/ }).click();
    await output.getByRole("button", { name: /^Reservations/ }).waitFor();
    await expectAccessible(page);

    await page.getByRole("button", { name: "Output of staging eu-west-1" }).click();
    const staging = page.getByRole("region", { name: "Output of staging · eu-west-1" });
    await staging.getByRole("button", { name: "Expand all" }).click();
    await staging.getByText('"i-0c1b2c3d4e5f60001"', { exact: true }).waitFor();
  });

  it("explains a mutating aws.call refused on a read connection, and nothing reaches AWS", async () => {
    const before = await emulatorCalls(demo);
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, "/actions/aws.call");
    await page.getByRole("heading", { name: "Call any AWS operation" }).waitFor();
    await choose(page, "Connections to run on", /^production\b/);
    await page.getByText("Choose regions").click();
    await choose(page, "Regions to run in", /^us-east-1$/);
    // Whether aws.call runs once per account depends on the service called.
    await page.getByText("1 connection · up to 1 target").waitFor();
    await page.getByText("A global service (IAM, S3, Account …) runs once per account.").waitFor();
    await page.getByLabel(/^service/).fill("ec2");
    await page.getByLabel(/^operation/).fill("TerminateInstances");
    await page.getByLabel(/^input/).fill('{"InstanceIds": ["i-0b1b2c3d4e5f60001"]}');
    await page.getByText("ec2:TerminateInstances", { exact: true }).first().waitFor();
    await page.getByRole("button", { name: "Run", exact: true }).click();
    // A write shows its plan first: here every target is refused, so nothing is typed.
    const plan = page.getByRole("dialog", { name: "Confirm a change" });
    await plan.getByText("Every target is refused or skipped").waitFor();
    await plan.getByRole("button", { name: "Run", exact: true }).click();

    const refusal = page
      .getByRole("alert")
      .filter({ hasText: "Refused before any request left Switchboard" });
    await refusal.waitFor();
    await page
      .getByRole("group", { name: "Run summary" })
      .getByRole("link", { name: "Open run" })
      .waitFor();
    const text = (await refusal.textContent()) ?? "";
    expect(text).toContain("ec2:TerminateInstances");
    expect(text).toContain("access level Write");
    expect(text).toContain("connection production");
    expect(text).toContain("its access is read (AWS managed ReadOnlyAccess)");
    const summary = page.getByRole("group", { name: "Run summary" });
    expect(await summary.textContent()).toContain("1 refused");
    await expectAccessible(page);

    const after = await emulatorCalls(demo);
    expect(Object.keys(after.byOperation).filter((k) => k.includes("TerminateInstances"))).toEqual(
      [],
    );
    expect(after.byOperation["ec2:DescribeInstances"]).toBe(
      before.byOperation["ec2:DescribeInstances"],
    );
  });

  it("builds the least-privilege policy for aws.logs.runSavedQuery from the catalog", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, "/actions");
    await page.getByLabel("Include aws.logs.runSavedQuery in the policy").check();
    await page.getByRole("link", { name: "Least-privilege policy (1)" }).click();
    await page.waitForURL(/\/actions\/policy\?actions=aws\.logs\.runSavedQuery$/);
    const policy = page.getByRole("region", { name: "Policy" });
    const json = await policy.locator("pre").textContent();
    const document = JSON.parse(json ?? "") as { Statement: { Action: string | string[] }[] };
    const actions = document.Statement.flatMap((s) =>
      Array.isArray(s.Action) ? s.Action : [s.Action],
    ).sort();
    expect(actions).toEqual([
      "logs:DescribeQueryDefinitions",
      "logs:GetQueryResults",
      "logs:StartQuery",
    ]);
    await policy.getByRole("button", { name: "Copy policy" }).waitFor();
    await policy.getByRole("button", { name: "Download policy" }).waitFor();
    await expectAccessible(page);

    // From an action's page, the policy is one click away too.
    await page.goto(`${demo.url}/actions/aws.logs.runSavedQuery`);
    await page.getByRole("link", { name: "Least-privilege policy" }).click();
    await page.waitForURL(/\/actions\/policy\?actions=aws\.logs\.runSavedQuery$/);
  });

  it("lists alice's runs and opens the fan-out's detail with its outputs", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, "/runs");
    // Runs of her own to list, started through the API as her: a fan-out and a refused call.
    const describe = await apiAs<{ run: { id: string } }>(
      page,
      "POST",
      "/actions/aws.ec2.describeInstances/run",
      { connections: ["production", "staging"] },
    );
    const terminate = await apiAs<{ run: { id: string } }>(page, "POST", "/actions/aws.call/run", {
      connections: ["production"],
      regions: ["us-east-1"],
      input: {
        service: "ec2",
        operation: "TerminateInstances",
        input: { InstanceIds: ["i-0b1b2c3d4e5f60001"] },
      },
    });
    await page.reload();
    const table = page.getByRole("table", { name: "Runs" });
    const row = (id: string) =>
      table.locator("tbody tr").filter({ has: page.locator(`a[href="/runs/${id}"]`) });
    const fanOut = row(describe.run.id);
    await fanOut.waitFor();
    const targets = DEMO_REGIONS.length * 2;
    expect(await fanOut.textContent()).toMatch(
      new RegExp(`alice.*production, staging.*${targets} targets.*succeeded`),
    );
    const refused = row(terminate.run.id);
    expect(await refused.textContent()).toContain("failed");
    await expectAccessible(page);

    await fanOut.getByRole("link").click();
    await page.waitForURL(new RegExp(`/runs/${describe.run.id}$`));
    await page.getByRole("heading", { name: "Run of aws.ec2.describeInstances" }).waitFor();
    const rows = page.getByRole("table", { name: "Targets" }).locator("tbody tr");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(targets);
    await page.getByRole("button", { name: "Output of staging eu-west-1" }).click();
    await page.waitForURL(/\?target=\d+$/);
    const output = page.getByRole("region", { name: "Output of staging · eu-west-1" });
    // Where to find the calls in CloudTrail.
    await output.getByText(/^CloudTrail session sb-alice-run_[0-9a-f]{12}$/).waitFor();
    await output.getByRole("button", { name: "Expand all" }).click();
    await output.getByText('"i-0c1b2c3d4e5f60001"', { exact: true }).waitFor();
    await expectAccessible(page);
    await page.getByRole("button", { name: "Switch to dark mode" }).click();
    await expectAccessible(page);

    // The target is in the URL: a reload shows the same output.
    await page.reload();
    await page
      .getByRole("region", { name: "Output of staging · eu-west-1" })
      .getByRole("button", { name: "Expand all" })
      .waitFor();
  });
});
