import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../../scripts/demo-stack.js";
import { expectAccessible, signIn, useBrowser } from "../helpers/browser.js";

async function goTo(page: Page, label: string, heading: string): Promise<void> {
  const nav = page.getByRole("navigation", { name: "Main navigation" });
  const link = nav.getByRole("link", { name: label, exact: true });
  if (!(await link.isVisible())) await nav.getByText("Settings", { exact: true }).click();
  await link.click();
  await page.getByRole("heading", { name: heading, exact: true }).waitFor();
}

describe("web UI: settings", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.close());

  it("manages users, teams, tokens, the allow-list and the issuer, and finds it all in the audit log", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/settings/users");
    await page.getByRole("heading", { name: "Users", exact: true }).waitFor();
    const users = page.getByRole("table", { name: "Users" });
    await users.getByRole("row").filter({ hasText: "alice" }).waitFor();
    await expectAccessible(page);

    // A user without a password: the setup link is shown once.
    await page.getByRole("button", { name: "Add user" }).click();
    const add = page.getByRole("dialog", { name: "Add a user" });
    await add.getByLabel(/^Username/).fill("bob-ui");
    await add.getByLabel("Display name").fill("Bob from the UI");
    await add.getByRole("button", { name: "Add user" }).click();
    const added = page.getByRole("dialog", { name: "User bob-ui added" });
    const setupUrl = await added.getByLabel("Setup link").inputValue();
    expect(setupUrl).toMatch(new RegExp(`^${demo.url}/setup#token=sb_`));
    await expectAccessible(page);
    await added.getByRole("button", { name: "Done" }).click();
    await added.waitFor({ state: "detached" });
    await users
      .getByRole("row")
      .filter({ hasText: "bob-ui" })
      .getByText("setup link pending")
      .waitFor();
    const setupToken = new URLSearchParams(new URL(setupUrl).hash.slice(1)).get("token") ?? "";
    expect(await page.content()).not.toContain(setupToken);
    const setup = await fetch(`${demo.url}/api/v1/auth/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: setupToken, password: "bob-ui-long-password" }),
    });
    expect(setup.status).toBe(204);

    // Edit a role, then add and remove a user with a password (no link then).
    await page.getByRole("button", { name: "Edit bob-ui" }).click();
    const edit = page.getByRole("dialog", { name: "Edit bob-ui" });
    await edit.getByText("Admin", { exact: true }).click();
    await edit.getByRole("button", { name: "Save" }).click();
    await edit.waitFor({ state: "detached" });
    await users.getByRole("row").filter({ hasText: "bob-ui" }).getByText("admin").waitFor();
    await page.getByRole("button", { name: "Add user" }).click();
    await add.getByLabel(/^Username/).fill("carol-ui");
    await add.getByLabel(/^Password/).fill("carol-long-password");
    await add.getByRole("button", { name: "Add user" }).click();
    await add.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Remove carol-ui" }).click();
    const remove = page.getByRole("dialog", { name: "Remove carol-ui?" });
    await remove.getByRole("button", { name: "Remove user" }).click();
    await remove.waitFor({ state: "detached" });
    await users.getByRole("row").filter({ hasText: "carol-ui" }).waitFor({ state: "detached" });

    // A team with that user.
    await goTo(page, "Teams", "Teams");
    await page.getByRole("button", { name: "Create team" }).click();
    const create = page.getByRole("dialog", { name: "Create a team" });
    await create.getByLabel(/^Team name/).fill("ops-ui");
    await create.getByRole("button", { name: "Create team" }).click();
    await create.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "ops-ui", exact: true }).click();
    const drawer = page.getByRole("dialog", { name: "Team ops-ui" });
    expect(new URL(page.url()).searchParams.get("team")).toBe("ops-ui");
    await drawer.getByLabel("Add a member").click();
    await page.getByRole("option", { name: /^bob-ui/ }).click();
    await drawer.getByRole("button", { name: "Add", exact: true }).click();
    await drawer.getByRole("table", { name: "Members of ops-ui" }).getByText("bob-ui").waitFor();
    await expectAccessible(page);
    await drawer.getByRole("button", { name: "Close" }).click();
    await page
      .getByRole("table", { name: "Teams" })
      .getByRole("row")
      .filter({ hasText: "ops-ui" })
      .getByText("bob-ui")
      .waitFor();

    // An API token: its secret is shown once and works.
    await goTo(page, "API tokens", "API tokens");
    await page.getByRole("button", { name: "Create token" }).click();
    const tokenForm = page.getByRole("dialog", { name: "Create an API token" });
    await tokenForm.getByLabel(/^Token name/).fill("ci-ui");
    await tokenForm.getByLabel(/^Expires in/).fill("30");
    await tokenForm.getByRole("button", { name: "Create token" }).click();
    const shown = page.getByRole("dialog", { name: "Token ci-ui created" });
    const secret = await shown.getByLabel("API token").inputValue();
    expect(secret).toMatch(/^sb_/);
    await shown.getByText("Copy the token now: it is shown once").waitFor();
    await expectAccessible(page);
    await shown.getByRole("button", { name: "I have copied it" }).click();
    await shown.waitFor({ state: "detached" });
    await page.getByRole("table", { name: "API tokens" }).getByText("ci-ui").waitFor();
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await page.getByRole("table", { name: "API tokens" }).getByText("ci-ui").waitFor();
    expect(await page.content()).not.toContain(secret);
    const whoami = await fetch(`${demo.url}/api/v1/whoami`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(whoami.status).toBe(200);
    expect(((await whoami.json()) as { user: { name: string } }).user.name).toBe("admin");

    // The outbound allow-list: a bad pattern gets the API's error on its field.
    await goTo(page, "Outbound allow-list", "Outbound allow-list");
    await page.getByRole("textbox", { name: "Pattern 2" }).waitFor();
    await page.getByRole("button", { name: "Add pattern" }).click();
    await page.getByRole("textbox", { name: "Pattern 3" }).fill("https://hooks.example.com/");
    await page.getByRole("button", { name: "Save" }).click();
    const bad = page.getByRole("textbox", { name: "Pattern 3" });
    await expect.poll(() => bad.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await bad.getAttribute("aria-describedby")) ?? "";
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toMatch(
      /expected a host, not a URL/,
    );
    await expectAccessible(page);
    await bad.fill("hooks.example.com");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Outbound allow-list saved").waitFor();
    const outbound = await demo.api<{ allow: string[] }>("GET", "/settings/outbound");
    expect(outbound.allow).toEqual([
      "*.amazonaws.com",
      `127.0.0.1:${demo.emulator.port}`,
      "hooks.example.com",
    ]);

    // The OIDC issuer.
    await goTo(page, "OIDC issuer", "OIDC issuer");
    await page.getByText(demo.url, { exact: true }).first().waitFor();
    const jwks = page.getByRole("link", { name: `${demo.url}/.well-known/jwks.json` });
    expect(await jwks.getAttribute("href")).toBe(`${demo.url}/.well-known/jwks.json`);
    await page.getByText("default/app-id/switchboard.aws.connector").first().waitFor();
    await page.getByText("switchboard:connection/<connection name>").first().waitFor();
    await page.getByText("switchboard oidc publish --out site", { exact: false }).first().waitFor();
    const keys = (await (await fetch(`${demo.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    for (const { kid } of keys.keys) {
      await page.getByRole("table", { name: "Signing keys" }).getByText(kid).waitFor();
    }
    await expectAccessible(page);

    const keyRows = page.getByRole("table", { name: "Signing keys" }).locator("tbody tr");
    const before = await keyRows.count();
    await page.getByRole("button", { name: "Rotate signing key" }).click();
    const rotate = page.getByRole("dialog", { name: "Rotate the signing key?" });
    await rotate.getByRole("button", { name: "Rotate key" }).click();
    await rotate.waitFor({ state: "detached" });
    await expect.poll(() => keyRows.count()).toBe(before + 1);
    await expect.poll(() => keyRows.filter({ hasText: "current" }).count()).toBe(1);

    // The audit log, filtered to these changes.
    await goTo(page, "Audit log", "Audit log");
    const filters = page.getByRole("form", { name: "Audit filters" });
    await filters.getByLabel("Action").fill("team.*");
    await filters.getByLabel("Object id").fill("ops-ui");
    await filters.getByLabel("Action").press("Escape");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/action=team.\*/);
    const events = page.getByRole("table", { name: "Audit events" });
    await expect.poll(() => events.getByText("user.create").count()).toBe(0);
    await events.getByText("team.member.add").waitFor();
    await events.getByText("team.create").waitFor();
    await expectAccessible(page);

    await filters.getByRole("button", { name: "Clear" }).click();
    await filters.getByLabel("Actor").fill("admin");
    await filters.getByLabel("Action").fill("user.*");
    await filters.getByLabel("Action").press("Escape");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/actor=user%3Aadmin/);
    await events.getByText("user.delete").waitFor();
    await events.getByRole("link", { name: "user bob-ui" }).first().click();
    await page.waitForURL(/objectType=user&objectId=bob-ui/);
    await expect.poll(() => events.getByText("user.delete").count()).toBe(0);
    await events.getByText("user.create").waitFor();
    await events.getByText("user.update").first().waitFor();
    expect(await events.getByRole("row").filter({ hasText: "carol-ui" }).count()).toBe(0);
    await page.goto(`${demo.url}/settings/audit?objectType=settings`);
    await events.getByText("settings.outbound.update").first().waitFor();
    await page.goto(`${demo.url}/settings/audit?action=token.create`);
    await events.getByRole("row").filter({ hasText: "token.create" }).first().waitFor();
    expect(await page.content()).not.toContain(secret);
  });

  it("shows members the lists read-only and the API's refusal where only admins may look", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.member, "/settings/users");
    await page.getByText("Only org admins can add, change or remove users").waitFor();
    expect(await page.getByRole("button", { name: "Add user" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Edit / }).count()).toBe(0);
    await page.goto(`${demo.url}/settings/outbound`);
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/Not allowed/);
    await expectAccessible(page);
    await page.goto(`${demo.url}/settings/audit`);
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/Not allowed/);
  });
});
