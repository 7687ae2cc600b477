import fs from "node:fs";
import { expect, it } from "vitest";
import { API_TYPES_FILE, generateApiTypes } from "../../scripts/openapi-types.js";

it("the web UI's API types match the server's OpenAPI document (run `npm run api-types` after changing a route)", async () => {
  expect(fs.readFileSync(API_TYPES_FILE, "utf8")).toBe(await generateApiTypes());
});
