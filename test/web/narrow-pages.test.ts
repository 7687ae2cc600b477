import fs from "node:fs";
import path from "node:path";
import type { Cookie, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../../scripts/demo-stack.js";
import { expectAccessible, signIn, useBrowser, waitForSettled } from "../helpers/browser.js";

/** Set to a directory to keep a full-page screenshot of every page at every width, to look at. */
const SHOTS = process.env.NARROW_SCREENSHOTS;

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1400, height: 900 };

interface MainPage {
  path: string;
  /** The page's title (its h2), which says the page has loaded and is the one asked for. */
  title: string | RegExp;
}

/**
 * What is wrong with the layout of the page as it is now: sideways scroll, elements that reach
 * past the viewport outside a scroll container, badges cut short, code documents whose lines run
 * past their panel, a header taller than its bar or covering the page's title. A string, not a function: the test's compiled code is not the
 * page's.
 */
const LAYOUT_PROBLEMS = `(() => {
  const vw = document.documentElement.clientWidth;
  const problems = [];
  const scroll = document.documentElement.scrollWidth - vw;
  if (scroll > 0) problems.push("the page scrolls sideways by " + scroll + " px");
  const name = (el) => {
    const text = (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    const cls = typeof el.className === "string" ? el.className.split(" ")[0] : "";
    return el.tagName.toLowerCase() + (cls ? "." + cls : "") + (text ? ' "' + text + '"' : "");
  };
  const inside = (r) => r.left >= -1 && r.right <= vw + 1;
  // An element may reach past the viewport inside a container that scrolls or clips it sideways
  // (a wide table in its scroll area), or inside a fixed layer placed off-screen on purpose
  // (the navigation drawer while it is closed).
  const contained = (el) => {
    for (let a = el; a !== null && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (a !== el && /auto|scroll|hidden|clip/.test(style.overflowX) && inside(a.getBoundingClientRect()))
        return true;
      if (style.position === "fixed") {
        const r = a.getBoundingClientRect();
        if (r.right <= 0 || r.left >= vw) return true;
      }
    }
    return false;
  };
  const wide = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || inside(r)) continue;
    if (getComputedStyle(el).visibility === "hidden" || contained(el)) continue;
    wide.add(el);
  }
  for (const el of wide) {
    // The outermost one says where the problem is; its children only repeat it.
    if (el.parentElement !== null && wide.has(el.parentElement)) continue;
    const r = el.getBoundingClientRect();
    problems.push(name(el) + " spans " + Math.round(r.left) + "–" + Math.round(r.right) + " px of " + vw);
  }
  for (const badge of document.querySelectorAll(".mantine-Badge-root, .mantine-Badge-label")) {
    if (badge.scrollWidth > badge.clientWidth + 1) problems.push("badge cut short: " + name(badge));
  }
  // A document (trust policy, template) whose lines run past its panel hides their ends.
  for (const code of document.querySelectorAll("pre, .mantine-Code-root[data-block]")) {
    if (code.scrollWidth > code.clientWidth + 1) problems.push("lines cut off in " + name(code));
  }
  const header = document.querySelector("header");
  const title = document.querySelector("main h2");
  if (header !== null) {
    const bar = header.getBoundingClientRect();
    const out = (el) => {
      const r = el.getBoundingClientRect();
      return r.height > 0 && (r.bottom > bar.bottom + 1 || r.top < bar.top - 1);
    };
    for (const el of header.querySelectorAll("*")) {
      if (out(el) && !(el.parentElement !== header && out(el.parentElement)))
        problems.push("the header's " + name(el) + " does not fit in its bar");
    }
    if (title !== null && title.getBoundingClientRect().top < bar.bottom)
      problems.push("the header covers the title " + name(title));
  }
  return problems;
})()`;

describe("web UI: every main page on a phone (390 px) and a desktop", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.close());

  /** A fan-out that succeeds and a write that the read connection refuses, both finished. */
  async function makeRuns(): Promise<{ fanOut: string; refused: string }> {
    const fanOut = await demo.api<{ run: { id: string } }>(
      "POST",
      "/actions/aws.ec2.describeInstances/run",
      { connections: ["production", "staging"], regions: ["us-east-1", "eu-west-1"] },
    );
    const refused = await demo.api<{ run: { id: string } }>("POST", "/actions/aws.call/run", {
      connections: ["production"],
      regions: ["us-east-1"],
      input: {
        service: "ec2",
        operation: "TerminateInstances",
        input: { InstanceIds: ["i-0b1b2c3d4e5f60001"] },
      },
    });
    for (const id of [fanOut.run.id, refused.run.id]) {
      await expect
        .poll(async () => (await demo.api<{ status: string }>("GET", `/runs/${id}`)).status, {
          timeout: 60_000,
        })
        .toMatch(/^(succeeded|failed|partial)$/);
    }
    return { fanOut: fanOut.run.id, refused: refused.run.id };
  }

  async function makeWorkflow(): Promise<string> {
    const name = `narrow-${Math.random().toString(36).slice(2, 8)}`;
    await demo.api("POST", "/workflows", {
      name,
      description: "Lists the instances of production",
      steps: [
        {
          id: "instances",
          action: "aws.ec2.describeInstances",
          connections: ["production"],
          regions: ["us-east-1"],
        },
      ],
    });
    return name;
  }

  /** The main pages by area, each area one test per width (a test of every page ran for minutes). */
  const AREAS: { area: string; pages: () => Promise<MainPage[]> }[] = [
    {
      area: "connections",
      pages: () =>
        Promise.resolve([
          { path: "/connections", title: "Connections" },
          { path: "/connections/production", title: "production" },
          { path: "/connections/new", title: "Add a connection" },
          { path: "/connections/production/edit", title: "Edit production" },
        ]),
    },
    {
      area: "actions and runs",
      pages: async () => {
        const runs = await makeRuns();
        return [
          { path: "/actions", title: "Actions" },
          { path: "/actions/aws.ec2.describeInstances", title: /instances/i },
          { path: "/actions/aws.call", title: /call/i },
          { path: "/actions/policy", title: "Least-privilege policy" },
          { path: "/runs", title: "Runs" },
          { path: `/runs/${runs.fanOut}`, title: /describeInstances/ },
          { path: `/runs/${runs.refused}`, title: /aws\.call/ },
        ];
      },
    },
    {
      area: "workflows",
      pages: async () => {
        const workflow = await makeWorkflow();
        return [
          { path: "/workflows", title: "Workflows" },
          { path: `/workflows/${workflow}`, title: workflow },
          { path: `/workflows/${workflow}/edit`, title: `Edit ${workflow}` },
        ];
      },
    },
    {
      area: "key store and settings",
      pages: () =>
        Promise.resolve([
          { path: "/keystore", title: "Key store" },
          { path: "/settings/users", title: "Users" },
          { path: "/settings/teams", title: "Teams" },
          { path: "/settings/tokens", title: "API tokens" },
          { path: "/settings/outbound", title: "Outbound allow-list" },
          { path: "/settings/oidc", title: "OIDC issuer" },
          { path: "/settings/audit", title: "Audit log" },
        ]),
    },
  ];

  /** Visits each page in turn and collects every page's problems, so one run names them all. */
  async function checkPages(page: Page, pages: MainPage[], label: string): Promise<string[]> {
    const problems: string[] = [];
    for (const main of pages) {
      await page.goto(`${demo.url}${main.path}`);
      await page
        .getByRole("main")
        .getByRole("heading", { level: 2, name: main.title, exact: typeof main.title === "string" })
        .waitFor({ timeout: 60_000 });
      await waitForSettled(page);
      if (SHOTS !== undefined) {
        const file = `${label}${main.path.replace(/[^a-z0-9]+/gi, "-")}.png`;
        await page.screenshot({ path: path.join(SHOTS, file), fullPage: true });
      }
      const layout = await page.evaluate<string[]>(LAYOUT_PROBLEMS);
      problems.push(...layout.map((p) => `${main.path}: ${p}`));
      await expectAccessible(page).catch((error: unknown) => {
        problems.push(`${main.path}: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    return problems;
  }

  async function openAt(viewport: { width: number; height: number }): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewportSize(viewport);
    return page;
  }

  // Signed in once through the login page; each page test starts in a browser context of its own
  // with that session's cookies, as a user who comes back in a new tab.
  let session: Cookie[] | undefined;
  async function signedInAt(viewport: { width: number; height: number }): Promise<Page> {
    const page = await openAt(viewport);
    if (session === undefined) {
      await signIn(page, demo.url, demo.admin);
      session = await page.context().cookies();
    } else {
      await page.context().addCookies(session);
    }
    return page;
  }

  // Each area's data (runs, a workflow) is made once and visited at both widths.
  const areaPages = new Map<string, Promise<MainPage[]>>();
  const pagesOf = (area: string, pages: () => Promise<MainPage[]>): Promise<MainPage[]> => {
    let made = areaPages.get(area);
    if (made === undefined) {
      made = pages();
      areaPages.set(area, made);
    }
    return made;
  };

  beforeAll(() => {
    if (SHOTS !== undefined) fs.mkdirSync(SHOTS, { recursive: true });
  });

  for (const { area, pages } of AREAS) {
    it(`${area} at 390 px: no sideways scroll, no badge cut short, no title under the header, and axe passes`, async () => {
      const visit = await pagesOf(area, pages);
      const page = await signedInAt(PHONE);
      expect(await checkPages(page, visit, "390")).toEqual([]);
    });

    it(`${area} at desktop width: no sideways scroll, no badge cut short, and axe passes`, async () => {
      const visit = await pagesOf(area, pages);
      const page = await signedInAt(DESKTOP);
      expect(await checkPages(page, visit, "1400")).toEqual([]);
    });
  }

  it("at 390 px the sign-in and setup pages fit, with the first user's name on them", async () => {
    const page = await openAt(PHONE);
    await page.goto(`${demo.url}/login`);
    await page.getByRole("heading", { name: "Sign in to Switchboard" }).waitFor();
    expect(await page.getByRole("main").textContent()).toMatch(
      /The first user is admin in the organization default/,
    );
    expect(await page.evaluate<string[]>(LAYOUT_PROBLEMS)).toEqual([]);
    await expectAccessible(page);
    await page.goto(`${demo.url}/setup`);
    await page.getByRole("heading", { name: "Set your password" }).waitFor();
    expect(await page.getByRole("main").textContent()).toMatch(
      /the first user, admin, is in the server's log/,
    );
    expect(await page.evaluate<string[]>(LAYOUT_PROBLEMS)).toEqual([]);
    await expectAccessible(page);
  });

  it("at 390 px a notification leaves the account menu uncovered", async () => {
    const page = await openAt(PHONE);
    await signIn(page, demo.url, demo.admin, "/settings/teams");
    await page.getByRole("button", { name: "Create team" }).click();
    const team = `narrow-${Math.random().toString(36).slice(2, 8)}`;
    await page.getByRole("textbox", { name: "Team name" }).fill(team);
    await page.getByRole("dialog").getByRole("button", { name: "Create team" }).click();
    const notification = page.getByRole("alert").filter({ hasText: `Team ${team} created` });
    await notification.waitFor();
    await waitForSettled(page);
    const box = await notification.boundingBox();
    const menu = await page.getByRole("button", { name: "Account menu" }).boundingBox();
    if (box === null || menu === null) throw new Error("the notification or the menu is not shown");
    const overlaps =
      box.x < menu.x + menu.width &&
      menu.x < box.x + box.width &&
      box.y < menu.y + menu.height &&
      menu.y < box.y + box.height;
    expect(overlaps, `notification ${JSON.stringify(box)}, menu ${JSON.stringify(menu)}`).toBe(
      false,
    );
    // The menu answers a click while the notification is shown.
    await page.getByRole("button", { name: "Account menu" }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).waitFor();
  });
});
