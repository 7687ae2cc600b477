import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../../scripts/demo-stack.js";
import {
  apiAs,
  choose,
  expectAccessible,
  signIn,
  useBrowser,
  waitForSettled,
} from "../helpers/browser.js";

// The demo's production account: web-1 runs in a subnet of its VPC in us-east-1.
const ACCOUNT = "222222222222";
const REGION = "us-east-1";
const INSTANCE_ID = "i-0b1b2c3d4e5f60001";
const INSTANCE = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${INSTANCE_ID}`;
const VPC = `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/vpc-0b1b2c3d4e5f60001`;
const DIAGRAM = `/inventory/diagram?connections=production&regions=${REGION}`;

/** What the diagram page exposes for tests (DiagramPage's `(globalThis as unknown as DiagramWindow).__switchboardDiagram`). */
interface DiagramNode {
  id(): string;
  data(key: string): unknown;
  nonempty(): boolean;
  empty(): boolean;
  emit(event: string): void;
}
interface DiagramWindow {
  __switchboardDiagram?: {
    cy: {
      nodes(): {
        filter(keep: (n: DiagramNode) => boolean): {
          forEach(f: (n: DiagramNode) => void): void;
          length: number;
        };
      };
      getElementById(id: string): DiagramNode;
    };
    collapse(id: string): void;
    expand(id: string): void;
    nodeIds(): string[];
  };
}

async function sync(demo: Demo, connection: string): Promise<void> {
  const { id } = await demo.api<{ id: string }>("POST", "/inventory/syncs", {
    connections: [connection],
    regions: [REGION],
  });
  for (;;) {
    const run = await demo.api<{ status: string }>("GET", `/runs/${id}`);
    if (!["pending", "queued", "running"].includes(run.status)) {
      expect(run.status, JSON.stringify(run)).toBe("succeeded");
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function setInstanceState(demo: Demo, state: "running" | "stopped"): Promise<void> {
  const query = new URLSearchParams({
    account: ACCOUNT,
    region: REGION,
    instanceId: INSTANCE_ID,
    state,
  });
  const response = await fetch(
    `${demo.emulator.url}/_emulator/ec2/instance-state?${query.toString()}`,
    {
      method: "POST",
    },
  );
  expect(response.status, await response.text()).toBe(200);
}

async function setAlarmState(demo: Demo, alarmName: string, state: "ALARM" | "OK"): Promise<void> {
  const query = new URLSearchParams({ account: ACCOUNT, region: REGION, alarmName, state });
  const response = await fetch(
    `${demo.emulator.url}/_emulator/cloudwatch/alarm-state?${query.toString()}`,
    { method: "POST" },
  );
  expect(response.status, await response.text()).toBe(200);
}

/** The diagram's drawn node ids (the canvas has no DOM: tests drive Cytoscape). */
function nodeIds(page: Page): Promise<string[]> {
  return page.evaluate(
    () => (globalThis as unknown as DiagramWindow).__switchboardDiagram?.nodeIds() ?? [],
  );
}

/** Opens every collapsed box and aggregate until the node is drawn. */
async function expandUntilDrawn(page: Page, id: string): Promise<void> {
  await page.waitForFunction(
    () =>
      ((globalThis as unknown as DiagramWindow).__switchboardDiagram?.nodeIds().length ?? 0) > 0,
  );
  for (let round = 0; round < 10; round += 1) {
    const opened = await page.evaluate((wanted) => {
      const handle = (globalThis as unknown as DiagramWindow).__switchboardDiagram;
      if (handle === undefined || handle.cy.getElementById(wanted).nonempty()) return 0;
      const closed = handle.cy
        .nodes()
        .filter((n) => ["collapsed", "aggregate"].includes(String(n.data("kind"))));
      closed.forEach((n) => handle.expand(n.id()));
      return closed.length;
    }, id);
    if (opened === 0) break;
    await waitForSettled(page);
  }
  await page.waitForFunction((wanted) => {
    return (
      (globalThis as unknown as DiagramWindow).__switchboardDiagram?.cy
        .getElementById(wanted)
        .nonempty() === true
    );
  }, id);
}

/**
 * Taps a node as a click would. Nothing comes back: the element links to the whole graph, and
 * Playwright would serialize all of it.
 */
async function tap(page: Page, id: string): Promise<void> {
  await page.evaluate((wanted) => {
    (globalThis as unknown as DiagramWindow).__switchboardDiagram?.cy
      .getElementById(wanted)
      .emit("tap");
  }, id);
}

/** The diagram's live status of a drawn node, once it is the one expected. */
async function waitForNodeStatus(page: Page, id: string, status: string): Promise<void> {
  await page.waitForFunction(
    ([wanted, expected]) =>
      (globalThis as unknown as DiagramWindow).__switchboardDiagram?.cy
        .getElementById(wanted)
        .data("status") === expected,
    [id, status] as const,
  );
}

describe("web UI: the diagram's live status, side panel and saved views", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
    await sync(demo, "production");
  });
  afterAll(() => demo.close());

  it("shows an instance's live status in its side panel and on the diagram, and its change once the emulator stops it, without a reload", async () => {
    await setInstanceState(demo, "running");
    const page = await browser.newPage();
    // Alice is an executor of production through team sre: the viewer's grants fetch the status.
    await signIn(page, demo.url, demo.member, DIAGRAM);
    await expandUntilDrawn(page, INSTANCE);
    await waitForNodeStatus(page, INSTANCE, "running");

    await tap(page, INSTANCE);
    const panel = page.getByRole("complementary", { name: "Resource" });
    await panel.getByLabel("Status running").waitFor();
    expect(await panel.getByRole("heading", { level: 3 }).textContent()).toBe("web-1");
    expect(await panel.getByLabel("ARN", { exact: true }).textContent()).toBe(INSTANCE);
    const details = await panel.getByRole("table", { name: "Details" }).textContent();
    expect(details).toContain("m6i.large");
    expect(details).toContain("10.1.1.21");
    expect(await panel.getByRole("table", { name: "Tags" }).textContent()).toContain(
      "envproduction",
    );
    expect(
      await panel.getByRole("link", { name: "Open in the AWS console" }).getAttribute("href"),
    ).toBe(
      `https://${REGION}.console.aws.amazon.com/ec2/home?region=${REGION}#InstanceDetails:instanceId=${INSTANCE_ID}`,
    );
    await page.screenshot({ path: "test-results/screenshots/diagram-live-running.png" });

    await setInstanceState(demo, "stopped");
    // Coming back to the window asks again at once (the 10 s poll would too, later).
    await page.evaluate("window.dispatchEvent(new Event('focus'))");
    await panel.getByLabel("Status stopped").waitFor();
    await waitForNodeStatus(page, INSTANCE, "stopped");
    expect(page.url()).toContain(DIAGRAM);
  });

  it("runs an action on the instance from its side panel with its connection and shows the result inline, and a write's refusal with its reason", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, DIAGRAM);
    await expandUntilDrawn(page, INSTANCE);
    await tap(page, INSTANCE);
    const panel = page.getByRole("complementary", { name: "Resource" });
    const actions = panel.getByRole("region", { name: "Actions" });

    await actions.getByRole("button", { name: "Describe instance" }).click();
    const result = actions.getByRole("region", { name: "Action result" });
    await result.getByText("ok", { exact: true }).waitFor();
    await result.getByRole("button", { name: "Expand all" }).click();
    await result.getByText(`"${INSTANCE_ID}"`).first().waitFor();
    await page.screenshot({ path: "test-results/screenshots/diagram-live-action.png" });

    // StopInstances is a write: its plan asks first, and production (access read) refuses it
    // before any request leaves Switchboard.
    await actions.getByRole("button", { name: "Stop instance" }).click();
    const plan = page.getByRole("dialog", { name: "Confirm a change" });
    await plan.waitFor();
    expect(await plan.getByRole("group", { name: "Plan summary" }).textContent()).toBe(
      "1 target0 will run1 refused",
    );
    expect(await plan.textContent()).toContain("ec2:StopInstances");
    await plan.getByRole("button", { name: "Run", exact: true }).click();
    await plan.waitFor({ state: "detached" });
    const refused = actions.getByRole("region", { name: "Action result" });
    await refused.getByText("refused", { exact: true }).waitFor();
    expect(await refused.getByRole("alert").textContent()).toMatch(/ReadOnlyAccess/);
  });

  it("saves a view with a collapsed VPC, and opening it after a reload collapses it again", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, DIAGRAM);
    await expandUntilDrawn(page, INSTANCE);
    expect(await nodeIds(page)).toContain(VPC);
    await page.evaluate(
      (id) => (globalThis as unknown as DiagramWindow).__switchboardDiagram?.collapse(id),
      VPC,
    );
    await page.waitForFunction(
      (arn) =>
        (globalThis as unknown as DiagramWindow).__switchboardDiagram?.cy
          .getElementById(arn)
          .empty() === true,
      INSTANCE,
    );
    const saved = (await nodeIds(page)).sort();

    await page.getByRole("button", { name: "Views" }).click();
    await page.getByRole("button", { name: "Save current view…" }).click();
    const form = page.getByRole("dialog", { name: "Save the current view" });
    await form.getByLabel("Name").fill("prod web collapsed");
    await form.getByRole("button", { name: "Save" }).click();
    await form.waitFor({ state: "detached" });

    await page.reload();
    await expandUntilDrawn(page, INSTANCE);
    await page.getByRole("button", { name: "Views" }).click();
    await page
      .getByRole("list", { name: "My views" })
      .getByRole("button", { name: "prod web collapsed", exact: true })
      .click();
    await page.waitForFunction(
      (arn) =>
        (globalThis as unknown as DiagramWindow).__switchboardDiagram?.cy
          .getElementById(arn)
          .empty() === true,
      INSTANCE,
    );
    await waitForSettled(page);
    expect((await nodeIds(page)).sort()).toEqual(saved);
    expect(
      await page.evaluate(
        (id) =>
          (globalThis as unknown as DiagramWindow).__switchboardDiagram?.cy
            .getElementById(id)
            .data("kind"),
        VPC,
      ),
    ).toBe("collapsed");
  });

  it("shares a view with a team, shows it to a teammate without letting them change it, refuses a second view of the same name in its form, renames and deletes", async () => {
    const password = `${demo.member.password}-bob`;
    await demo.api("POST", "/users", { name: "bob", password });
    await demo.api("PUT", "/teams/sre/members/bob");

    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, DIAGRAM);
    await expandUntilDrawn(page, INSTANCE);
    const views = page.getByRole("button", { name: "Views" });
    const save = async (name: string, team: RegExp | null) => {
      await views.click();
      await page.getByRole("button", { name: "Save current view…" }).click();
      const form = page.getByRole("dialog", { name: "Save the current view" });
      await form.getByLabel("Name").fill(name);
      if (team !== null) await choose(page, "Shared with", team);
      await form.getByRole("button", { name: "Save" }).click();
      return form;
    };
    await (await save("sre on-call", /^Team sre$/)).waitFor({ state: "detached" });
    await (await save("mine only", null)).waitFor({ state: "detached" });

    // A second view of the same name: the server's refusal, in the form, which stays open.
    const again = await save("mine only", null);
    await again.getByRole("alert").getByText("you already have a view named mine only").waitFor();
    await again.getByRole("button", { name: "Cancel" }).click();
    await again.waitFor({ state: "detached" });

    await views.click();
    const mine = page.getByRole("list", { name: "My views" });
    // The shared one carries its team's badge.
    expect(await mine.getByRole("listitem", { name: "sre on-call" }).textContent()).toBe(
      "sre on-callsre",
    );
    expect(await mine.getByRole("listitem", { name: "mine only" }).textContent()).toBe("mine only");
    // Overwrite: the current view (the VPC collapsed now, the menu still open) replaces what it held.
    await page.evaluate((id) => {
      (globalThis as unknown as DiagramWindow).__switchboardDiagram?.collapse(id);
    }, VPC);
    await mine.getByRole("button", { name: "Overwrite mine only" }).click();
    await expect
      .poll(
        async () => {
          // The list has no bodies: the view by id has its collapsed groups.
          const { items } = await apiAs<{ items: { id: string; name: string }[] }>(
            page,
            "GET",
            "/inventory/views",
          );
          const id = items.find((v) => v.name === "mine only")?.id;
          if (id === undefined) return false;
          const view = await apiAs<{ collapsed: string[] }>(page, "GET", `/inventory/views/${id}`);
          return view.collapsed.includes(VPC);
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    await mine.getByRole("button", { name: "Rename mine only" }).click();
    const rename = page.getByRole("dialog", { name: "Rename mine only" });
    await rename.getByLabel("Name").fill("just me");
    await rename.getByRole("button", { name: "Rename" }).click();
    await rename.waitFor({ state: "detached" });
    await views.click();
    await mine.getByRole("button", { name: "just me", exact: true }).waitFor();
    // The rename kept what the view holds (fetched by id: the list has none of it).
    const renamed = await apiAs<{ items: { id: string; name: string }[] }>(
      page,
      "GET",
      "/inventory/views",
    );
    const renamedId = renamed.items.find((v) => v.name === "just me")?.id ?? "";
    expect(
      (await apiAs<{ collapsed: string[] }>(page, "GET", `/inventory/views/${renamedId}`))
        .collapsed,
    ).toContain(VPC);
    await mine.getByRole("button", { name: "Delete just me" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete the view" });
    await confirm.getByRole("button", { name: "Delete" }).click();
    await confirm.waitFor({ state: "detached" });
    await views.click();
    await mine.getByRole("button", { name: "just me", exact: true }).waitFor({ state: "detached" });

    // Bob, in team sre, sees the shared view as alice's, can open it, and cannot change it.
    const bobPage = await browser.newPage();
    await signIn(bobPage, demo.url, { name: "bob", password }, DIAGRAM);
    await bobPage.getByRole("button", { name: "Views" }).click();
    const shared = bobPage.getByRole("list", { name: "Shared with me" });
    const item = shared.getByRole("listitem", { name: "sre on-call" });
    expect(await item.textContent()).toBe("sre on-call" + "sre" + "alice");
    expect(await item.getByRole("button").count()).toBe(1);
    expect(await bobPage.getByRole("list", { name: "My views" }).count()).toBe(0);
    await item.getByRole("button", { name: "sre on-call" }).click();
    await bobPage.getByRole("list", { name: "Shared with me" }).waitFor({ state: "hidden" });
  });

  it("stops an instance from its side panel once the plan's target count is typed, through a full connection, and shows it stopped", async () => {
    // The management account's administrator keys: a connection allowed to change things.
    await demo.api("POST", "/secrets", {
      path: "keys/system/test/management-admin",
      value: "management-admin-secret-0000000000000000",
    });
    await demo.api("POST", "/connections", {
      name: "management-full",
      method: "access_key",
      accessKeyId: "AKIAMANAGEMENTADMIN1",
      secretPath: "keys/system/test/management-admin",
      access: "full",
      endpoint: demo.emulator.url,
      regions: [REGION],
    });
    await demo.api("POST", "/connections/management-full/test");
    await sync(demo, "management-full");
    const host = `arn:aws:ec2:${REGION}:111111111111:instance/i-0a1b2c3d4e5f60001`;

    const page = await browser.newPage();
    await signIn(
      page,
      demo.url,
      demo.admin,
      `/inventory/diagram?connections=management-full&regions=${REGION}`,
    );
    await expandUntilDrawn(page, host);
    await tap(page, host);
    const panel = page.getByRole("complementary", { name: "Resource" });
    await panel.getByLabel("Status running").waitFor();
    await expectAccessible(page);

    const actions = panel.getByRole("region", { name: "Actions" });
    await actions.getByRole("button", { name: "Stop instance" }).click();
    const plan = page.getByRole("dialog", { name: "Confirm a change" });
    expect(await plan.getByRole("group", { name: "Plan summary" }).textContent()).toBe(
      "1 target1 will run",
    );
    const confirm = plan.getByRole("button", { name: "Run on 1 target" });
    expect(await confirm.isDisabled()).toBe(true);
    await plan.getByLabel("Type 1 to run it on 1 target").fill("1");
    await confirm.click();
    await plan.waitFor({ state: "detached" });
    const result = actions.getByRole("region", { name: "Action result" });
    await result.getByText("ok", { exact: true }).waitFor();
    await panel.getByLabel("Status stopped").waitFor();
    await waitForNodeStatus(page, host, "stopped");
  });

  it("shows a database as in alarm while a CloudWatch alarm on it is in ALARM, naming the alarm, and available again once it clears", async () => {
    const database = `arn:aws:rds:${REGION}:${ACCOUNT}:db:prod-db`;
    await setAlarmState(demo, "prod-db-cpu", "OK");
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, DIAGRAM);
    await expandUntilDrawn(page, database);
    await waitForNodeStatus(page, database, "available");
    await tap(page, database);
    const panel = page.getByRole("complementary", { name: "Resource" });
    await panel.getByLabel("Status available").waitFor();

    try {
      await setAlarmState(demo, "prod-db-cpu", "ALARM");
      await page.evaluate("window.dispatchEvent(new Event('focus'))");
      await panel.getByLabel("Status alarm").waitFor();
      expect(await panel.getByLabel("Alarms").textContent()).toBe("In alarmprod-db-cpu");
      await waitForNodeStatus(page, database, "alarm");
    } finally {
      await setAlarmState(demo, "prod-db-cpu", "OK");
    }
    await page.evaluate("window.dispatchEvent(new Event('focus'))");
    await panel.getByLabel("Status available").waitFor();
    await waitForNodeStatus(page, database, "available");
  });
});
