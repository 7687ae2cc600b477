import { describe, expect, it } from "vitest";
import { classifyAddress } from "./address-class.js";

describe("classifyAddress", () => {
  it("puts link-local, metadata and unspecified addresses beyond any pattern", () => {
    for (const address of [
      "169.254.169.254",
      "169.254.170.2",
      "169.254.0.1",
      "fe80::1",
      "fd00:ec2::254",
      "0.0.0.0",
      "::",
      "::ffff:169.254.169.254",
      "::ffff:a9fe:a9fe",
    ])
      expect(classifyAddress(address), address).toBe("never");
  });

  it("marks loopback and private ranges internal", () => {
    for (const address of [
      "127.0.0.1",
      "127.8.9.10",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "100.64.0.1",
      "::1",
      "fc00::1",
      "fd12:3456::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
    ])
      expect(classifyAddress(address), address).toBe("internal");
  });

  it("treats everything else, including neighbours of the ranges, as public", () => {
    for (const address of ["52.94.0.1", "172.32.0.1", "100.128.0.1", "11.0.0.1", "2600:1f18::1"])
      expect(classifyAddress(address), address).toBe("public");
  });
});
