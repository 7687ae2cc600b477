import { describe, expect, it } from "vitest";
import { AllowList } from "./allow-list.js";
import { DEFAULT_ALLOW_LIST } from "./schemas.js";

const defaults = new AllowList(DEFAULT_ALLOW_LIST);
const reason = (list: AllowList, host: string, port = 443) =>
  list.checkDestination({ host, port })?.reason;

describe("AllowList host check", () => {
  it("lets the defaults reach AWS endpoints at any subdomain depth", () => {
    for (const host of [
      "sts.amazonaws.com",
      "sts.us-east-1.amazonaws.com",
      "s3.dualstack.eu-west-1.amazonaws.com",
      "ec2.cn-north-1.amazonaws.com.cn",
      "sts.us-east-1.api.aws",
    ])
      expect(reason(defaults, host), host).toBeUndefined();
  });

  it("does not let a wildcard match the apex or a look-alike suffix", () => {
    for (const host of [
      "amazonaws.com",
      "evilamazonaws.com",
      "amazonaws.com.evil.io",
      "api.aws.evil.io",
    ])
      expect(reason(defaults, host), host).toBe("not-listed");
  });

  it("refuses a literal IP unless an address pattern covers it", () => {
    expect(reason(defaults, "52.94.0.1")).toBe("not-listed");
    expect(reason(defaults, "169.254.169.254", 80)).toBe("never");
    expect(reason(defaults, "::ffff:169.254.169.254", 80)).toBe("never");
    const list = new AllowList(["127.0.0.1:5000", "10.0.0.0/16"]);
    expect(reason(list, "127.0.0.1", 5000)).toBeUndefined();
    expect(reason(list, "127.0.0.1", 5001)).toBe("not-listed");
    expect(reason(list, "10.0.9.9", 443)).toBeUndefined();
    expect(reason(list, "10.1.0.1", 443)).toBe("not-listed");
  });

  it("honours the port of a pattern, and any port without one", () => {
    const list = new AllowList(["localhost:4566", "hooks.example.com"]);
    expect(reason(list, "localhost", 4566)).toBeUndefined();
    expect(reason(list, "localhost", 4567)).toBe("not-listed");
    expect(reason(list, "hooks.example.com", 8443)).toBeUndefined();
  });

  it("refuses everything with an empty list", () => {
    expect(reason(new AllowList([]), "sts.amazonaws.com")).toBe("not-listed");
  });
});

describe("AllowList address check", () => {
  const check = (list: AllowList, host: string, address: string, port = 443) =>
    list.checkAddress({ host, port }, address)?.reason;

  it("refuses metadata and link-local answers whatever the list says", () => {
    const list = new AllowList(["*.example.com", "localhost", "10.0.0.0/8"]);
    expect(check(list, "a.example.com", "169.254.169.254")).toBe("never");
    expect(check(list, "a.example.com", "fd00:ec2::254")).toBe("never");
    expect(check(list, "localhost", "fe80::1")).toBe("never");
  });

  it("refuses a wildcard-matched name that resolves to a private or loopback address", () => {
    expect(check(defaults, "sts.us-east-1.amazonaws.com", "127.0.0.1")).toBe("internal");
    expect(check(defaults, "sts.us-east-1.amazonaws.com", "10.0.0.7")).toBe("internal");
    expect(check(defaults, "sts.us-east-1.amazonaws.com", "52.94.0.1")).toBeUndefined();
  });

  it("refuses an exactly listed dotted name that resolves inside (DNS rebinding)", () => {
    const list = new AllowList(["hooks.example.com"]);
    expect(check(list, "hooks.example.com", "127.0.0.1")).toBe("internal");
  });

  it("lets an exact localhost or single-label name reach its internal addresses", () => {
    const list = new AllowList(["localhost:4566", "localstack"]);
    expect(check(list, "localhost", "127.0.0.1", 4566)).toBeUndefined();
    expect(check(list, "localhost", "::1", 4566)).toBeUndefined();
    expect(check(list, "localstack", "172.18.0.3", 4566)).toBeUndefined();
  });

  it("lets an address pattern open internal addresses for any allowed name", () => {
    const list = new AllowList(["*.amazonaws.com", "10.0.0.0/16"]);
    expect(check(list, "sts.us-east-1.amazonaws.com", "10.0.3.4")).toBeUndefined();
    expect(check(list, "sts.us-east-1.amazonaws.com", "10.1.3.4")).toBe("internal");
  });
});
