import { afterAll, beforeAll, expect, it } from "vitest";
import type { SwitchboardError } from "../../src/errors.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

describeEachDatabase("outbound allow-list ranges", (suite) => {
  let t: TestApp;
  let orgId: string;

  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
    const org = await suite
      .handle()
      .db.selectFrom("orgs")
      .select("id")
      .where("name", "=", "default")
      .executeTakeFirstOrThrow();
    orgId = org.id;
  });
  afterAll(() => t.close());

  const put = (allow: string[]) => t.call("PUT", "/api/v1/settings/outbound", { body: { allow } });

  async function refusedCode(url: string): Promise<string | undefined> {
    return t.outbound.checkUrl(orgId, url).then(
      () => undefined,
      (error: unknown) => (error as SwitchboardError).code,
    );
  }

  it("refuses a range with host bits set, naming the range it really is; written out, a range reaches only its own addresses", async () => {
    const cases: [string, string][] = [
      ["127.0.0.0/0", "0.0.0.0/0"],
      ["10.0.0.1/8", "10.0.0.0/8"],
      ["192.168.1.1/16", "192.168.0.0/16"],
      ["fd00::1/8", "fd00::/8"],
      ["::ffff:10.0.0.1/104", "::ffff:10.0.0.0/104"],
      ["::ffff:10.0.0.0/8", "::/8"],
    ];
    const before = await t.call("GET", "/api/v1/settings/outbound");
    for (const [pattern, canonical] of cases) {
      const response = await put(["*.amazonaws.com", pattern]);
      expect(response.statusCode, pattern).toBe(400);
      const { error } = response.json<ErrorBody>();
      expect(error).toMatchObject({ code: "INVALID_REQUEST", field: "allow.1" });
      expect(error.message, pattern).toContain("host bits set");
      expect(error.message, pattern).toContain(canonical);
    }
    const after = await t.call("GET", "/api/v1/settings/outbound");
    expect(after.json<{ allow: string[] }>().allow).toEqual(
      before.json<{ allow: string[] }>().allow,
    );

    // Written out, the ranges reach their own addresses and no others.
    // fc00::/7 (private IPv6) holds the metadata address fd00:ec2::254, which stays refused.
    const response = await put(["10.0.0.0/16", "fc00::/7", "::ffff:192.168.7.0/120"]);
    expect(response.statusCode, response.body).toBe(200);
    for (const url of [
      "http://10.0.9.9/",
      "http://[::ffff:10.0.9.9]/",
      "http://[fd00:1::5]/",
      "http://192.168.7.20/",
    ])
      expect(await refusedCode(url), url).toBeUndefined();
    for (const url of [
      "http://10.1.0.1/",
      "http://192.168.1.1/",
      "http://100.64.0.1/",
      "http://127.0.0.1/",
      "http://[fe80::1]/",
      "http://[fd00:ec2::254]/",
      "http://[::ffff:169.254.169.254]/",
      "http://169.254.169.254/",
    ])
      expect(await refusedCode(url), url).toBe("OUTBOUND_REFUSED");
  });

  it("refuses every range that reaches IPv4 link-local, IPv6 link-local or unspecified addresses", async () => {
    for (const pattern of [
      "0.0.0.0/0",
      "::/0",
      "::ffff:0.0.0.0/96",
      "::ffff:169.254.0.0/112",
      "128.0.0.0/1",
      "169.0.0.0/8",
      "fe80::/9",
      "[fd00:ec2::254]:80",
    ]) {
      const response = await put([pattern]);
      expect(response.statusCode, pattern).toBe(400);
      expect(response.json<ErrorBody>().error.message, pattern).toMatch(/can never be allowed/);
    }
  });

  it("lets nothing through an entry saved before host bits were refused", async () => {
    // As an older version saved it: 127.0.0.0/0 used to be accepted and opened every address.
    const patterns = JSON.stringify(["*.amazonaws.com", "127.0.0.0/0"]);
    await suite
      .handle()
      .db.insertInto("outbound_allow_lists")
      .values({ org_id: orgId, patterns, updated_at: new Date().toISOString(), updated_by: "test" })
      .onConflict((oc) => oc.column("org_id").doUpdateSet({ patterns }))
      .execute();
    t.outbound.allowListChanged(orgId);
    for (const url of ["http://10.0.0.1/", "http://192.168.1.1/", "http://100.64.0.1/"])
      expect(await refusedCode(url), url).toBe("OUTBOUND_REFUSED");
    expect(await refusedCode("https://sts.us-east-1.amazonaws.com/")).toBeUndefined();
    // Saving the list again names the entry.
    const again = await put(["*.amazonaws.com", "127.0.0.0/0"]);
    expect(again.json<ErrorBody>().error).toMatchObject({ field: "allow.1" });
  });
});
