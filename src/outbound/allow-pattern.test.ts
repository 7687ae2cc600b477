import { describe, expect, it } from "vitest";
import { normalizePattern, parseAllowPattern, PatternError } from "./allow-pattern.js";
import { DEFAULT_ALLOW_LIST, patternProblem } from "./schemas.js";

describe("allow patterns", () => {
  it("accepts the defaults and the documented forms", () => {
    for (const pattern of [
      ...DEFAULT_ALLOW_LIST,
      "hooks.example.com",
      "hooks.example.com:8443",
      "*.example.com:443",
      "localhost:4566",
      "localstack",
      "127.0.0.1:5000",
      "10.0.0.0/16",
      "::1",
      "[::1]:4566",
      "fc00::/7",
      "API.Example.COM.",
    ])
      expect(patternProblem(pattern), pattern).toBeUndefined();
  });

  it("says what is expected for a bad pattern", () => {
    expect(patternProblem("*")).toMatch(/every host/);
    expect(patternProblem("*.com")).toMatch(/two labels/);
    expect(patternProblem("api.*.example.com")).toMatch(/first label/);
    expect(patternProblem("example.com:0")).toMatch(/port from 1 to 65535/);
    expect(patternProblem("example.com:99999")).toMatch(/port/);
    expect(patternProblem("https://example.com")).toMatch(/not a URL/);
    expect(patternProblem("example.com/path")).toMatch(/expected a host name/);
    expect(patternProblem(" example.com")).toMatch(/expected/);
    expect(patternProblem("1.2.3")).toMatch(/expected/);
    expect(patternProblem("[nothex]:80")).toMatch(/IPv6/);
    expect(patternProblem("-bad-.example.com")).toMatch(/expected/);
  });

  it("refuses patterns that would name link-local or metadata addresses", () => {
    for (const pattern of ["169.254.169.254", "169.254.0.0/16", "[fd00:ec2::254]:80", "0.0.0.0/0"])
      expect(() => parseAllowPattern(pattern), pattern).toThrow(PatternError);
  });

  it("refuses a CIDR range with host bits set, naming the range it means", () => {
    expect(() => parseAllowPattern("127.0.0.0/0")).toThrow(/0\.0\.0\.0\/0/);
    expect(() => parseAllowPattern("10.1.2.3/8")).toThrow(/10\.0\.0\.0\/8/);
    expect(() => parseAllowPattern("2001:db8::1/32")).toThrow(/2001:db8::\/32/);
    expect(() => parseAllowPattern("::ffff:10.0.0.0/8")).toThrow(/::\/8.*::ffff:10\.0\.0\.0\/104/);
    expect(parseAllowPattern("10.0.0.0/8")).toMatchObject({ kind: "address" });
    expect(parseAllowPattern("::ffff:10.0.0.0/104")).toMatchObject({ kind: "address" });
  });

  it("compiles each form with its port", () => {
    expect(parseAllowPattern("*.amazonaws.com")).toMatchObject({
      kind: "wildcard",
      suffix: ".amazonaws.com",
      port: undefined,
    });
    expect(parseAllowPattern("localhost:4566")).toMatchObject({
      kind: "host",
      host: "localhost",
      port: 4566,
    });
    expect(parseAllowPattern("[::1]:4566")).toMatchObject({ kind: "address", port: 4566 });
    expect(parseAllowPattern("fc00::/7")).toMatchObject({ kind: "address", port: undefined });
  });

  it("stores names in lower case without the trailing dot", () => {
    expect(normalizePattern("API.Example.COM.:443")).toBe("api.example.com:443");
    expect(normalizePattern("*.AmazonAWS.com")).toBe("*.amazonaws.com");
    expect(normalizePattern("[::1]:4566")).toBe("[::1]:4566");
  });
});
