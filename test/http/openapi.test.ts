import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "../helpers/databases.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

describeEachDatabase("OpenAPI document", (suite) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(suite.handle().db);
  });
  afterAll(() => t.close());

  it("is a valid OpenAPI 3.1 document generated from the route schemas", async () => {
    const response = await t.call("GET", "/openapi.json", { token: null });
    expect(response.statusCode).toBe(200);
    const document = response.json<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    }>();
    expect(document.openapi).toBe("3.1.0");
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/users",
        "/api/v1/users/{name}",
        "/api/v1/teams",
        "/api/v1/tokens",
        "/api/v1/audit",
        "/api/v1/auth/login",
      ]),
    );
    const createUser = document.paths["/api/v1/users"]?.post as {
      requestBody: {
        content: Record<string, { schema: { properties: object; additionalProperties: unknown } }>;
      };
    };
    const bodySchema = createUser.requestBody.content["application/json"]?.schema;
    expect(Object.keys(bodySchema?.properties ?? {})).toEqual([
      "name",
      "displayName",
      "role",
      "password",
    ]);
    expect(bodySchema?.additionalProperties).toBe(false);
  });
});
