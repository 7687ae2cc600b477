import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString("utf8"));
      callback();
    },
  });
  return { lines, logger: createLogger("info", sink) };
}

describe("createLogger", () => {
  it("censors credentials wherever a caller logs them", () => {
    const { lines, logger } = capture();
    logger.info(
      {
        req: { headers: { authorization: "Bearer sb_leak1", cookie: "sb_session=sb_leak2" } },
        body: { password: "leak3", token: "leak4", value: "leak5" },
        password: "leak6",
        credentials: { secretAccessKey: "leak7", sessionToken: "leak8" },
      },
      "hello",
    );
    const text = lines.join("");
    expect(text).toContain("hello");
    expect(text).toContain("[redacted]");
    for (let i = 1; i <= 8; i++) expect(text).not.toContain(`leak${i}`);
  });
});
