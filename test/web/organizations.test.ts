import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../../scripts/demo-stack.js";
import { choose, expectAccessible, signIn, useBrowser } from "../helpers/browser.js";

// The demo organization: management 111111111111; Production, Staging and Sandbox with five
// active members and one suspended (777777777777).
const ACTIVE_MEMBERS = [
  "222222222222",
  "333333333333",
  "444444444444",
  "555555555555",
  "666666666666",
];
const SUSPENDED = "777777777777";

describe("web UI: organizations", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
    // A full connection into the management account (its administrator's keys), to deploy with.
    await demo.api("POST", "/secrets", {
      path: "keys/system/demo/management-admin",
      value: "management-admin-secret-0000000000000000",
    });
    await demo.api("POST", "/connections", {
      name: "org-admin",
      method: "access_key",
      accessKeyId: "AKIAMANAGEMENTADMIN1",
      secretPath: "keys/system/demo/management-admin",
      access: "full",
      regions: ["us-east-1"],
      endpoint: demo.emulator.url,
    });
    await demo.api("POST", "/connections/org-admin/test");
  });
  afterAll(() => demo.close());

  it("onboards the demo organization through the wizard, deploys the StackSet and shows every account's connection tested", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/organizations");
    await page.getByRole("link", { name: "Organizations" }).first().waitFor();
    await page.getByLabel("Name", { exact: false }).first().fill("demo-org");
    await choose(page, "Management connection", /^org-admin/);
    await page.getByRole("button", { name: "Add organization" }).click();
    await page.waitForURL(/\/organizations\/demo-org$/);
    await expectAccessible(page);

    await page.getByRole("link", { name: "Onboard accounts" }).click();
    for (const ou of ["Production", "Staging", "Sandbox"])
      await page.getByRole("checkbox", { name: new RegExp(`^${ou} \\(`) }).check();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Member role name").fill("switchboard-member");
    await choose(page, "Hub connection", /^management$/);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Onboard" }).click();
    await page.getByText("5 member connections created").waitFor();
    await page.getByText(`Skipped ${SUSPENDED}`).waitFor();
    await expectAccessible(page);

    await page.getByRole("link", { name: "Deploy the StackSet and follow it" }).click();
    await page.waitForURL(/\/organizations\/demo-org$/);
    await page.getByRole("link", { name: "Member role template" }).click();
    expect(await page.getByLabel("Member role template").textContent()).toContain("AWS::IAM::Role");
    await page.getByRole("button", { name: "Copy template" }).waitFor();
    await page.goBack();
    await page.getByRole("button", { name: "Deploy StackSet" }).click();
    await page
      .getByText("Switchboard-demo-org in us-east-1: SUCCEEDED")
      .waitFor({ timeout: 60_000 });
    await page
      .getByText(/Last reconcile: succeeded .* 5 accounts reachable/)
      .waitFor({ timeout: 60_000 });
    const table = page.getByRole("table");
    for (const id of ACTIVE_MEMBERS) {
      const row = table.getByRole("row").filter({ hasText: id });
      const text = await row.textContent();
      expect(text).toContain(`demo-org-${id}`);
      expect(text).toContain("reachable");
    }
    expect(await table.getByRole("row").filter({ hasText: SUSPENDED }).textContent()).toContain(
      "suspended",
    );
    expect(
      await table.getByRole("row").filter({ hasText: "111111111111" }).textContent(),
    ).toContain("management account");
    await expectAccessible(page);
  });
});
