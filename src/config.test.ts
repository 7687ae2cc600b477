import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("defaults to SQLite in ./data on port 8080", () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.database.dialect).toBe("sqlite");
    expect(config.database).toMatchObject({
      file: expect.stringMatching(/data\/switchboard\.db$/) as unknown,
    });
    expect(config.publicUrl).toBe("http://localhost:8080");
  });

  it("chooses PostgreSQL from DATABASE_URL", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u:p@db/sb" }).database).toEqual({
      dialect: "postgres",
      url: "postgres://u:p@db/sb",
    });
  });

  it("names the variable and what it expects when a value is bad", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(/PORT: expected a port number/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://x" })).toThrow(
      /DATABASE_URL: expected postgres:\/\/… or sqlite:PATH/,
    );
    expect(() => loadConfig({ LOG_LEVEL: "loud" })).toThrow(
      /LOG_LEVEL: expected one of fatal, error/,
    );
    expect(() => loadConfig({ SWITCHBOARD_DEV: "yes" })).toThrow(
      /SWITCHBOARD_DEV: expected 1, 0, true or false/,
    );
  });

  it("refuses an http public URL unless in development", () => {
    expect(() => loadConfig({ SWITCHBOARD_PUBLIC_URL: "http://sb.example.com" })).toThrow(
      /SWITCHBOARD_PUBLIC_URL: expected an https:\/\/ URL/,
    );
    expect(
      loadConfig({ SWITCHBOARD_PUBLIC_URL: "http://sb.example.com/", SWITCHBOARD_DEV: "1" })
        .publicUrl,
    ).toBe("http://sb.example.com");
    expect(loadConfig({ SWITCHBOARD_PUBLIC_URL: "https://sb.example.com" }).oidcIssuer).toBe(
      "https://sb.example.com",
    );
    expect(
      loadConfig({
        SWITCHBOARD_PUBLIC_URL: "https://sb.example.com",
        SWITCHBOARD_OIDC_ISSUER: "https://b.s3.amazonaws.com/",
      }).oidcIssuer,
    ).toBe("https://b.s3.amazonaws.com");
    expect(() => loadConfig({ SWITCHBOARD_OIDC_ISSUER: "http://b.example.com" })).toThrow(
      /SWITCHBOARD_OIDC_ISSUER: expected an https/,
    );
  });
});
