import path from "node:path";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { createNodeResolver, importX } from "eslint-plugin-import-x";

const FEATURES = [
  "access",
  "audit",
  "keystore",
  "oidc",
  "outbound",
  "connections",
  "actions",
  "fan-out",
  "runs",
  "engine",
  "workflows",
  "inventory",
  "organizations",
  "projects",
];

const ROOT = import.meta.dirname;

// Files that must fail lint (an import cycle, a deep import): test/lint/ lints them on purpose,
// the normal run skips them.
const LINT_FIXTURE = "test/fixtures/lint-cycle";

/** Files outside `feature` (under sourceRoot) may import only its index.ts and table types. */
function featureZone(sourceRoot, feature) {
  const featureDir = path.join(ROOT, sourceRoot, feature);
  return {
    target: [`${sourceRoot}/!(${feature})/**`, `${sourceRoot}/*.ts`],
    from: `${sourceRoot}/${feature}/**`,
    // Exceptions must be globs (absolute) because `from` is one: index.ts, *table.ts, *tables.ts,
    // and schemas.ts (zod only: the web app and the CLI share it without loading server code).
    except: [`${featureDir}/@(index|*table|*tables|schemas).ts`],
    message: `Import the ${feature} feature through its index.js.`,
  };
}

export default tseslint.config(
  {
    ignores: [
      "dist/",
      "node_modules/",
      "data/",
      "coverage/",
      "test-results/",
      "web/src/api/openapi.d.ts",
      `${LINT_FIXTURE}/`,
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "import-x": importX },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      // Fastify plugins are async by contract even when they only register routes.
      "@typescript-eslint/require-await": "off",
    },
    settings: {
      // import-x only reads (and so follows) files with these extensions; .js alone left every
      // .ts module out of the import graph.
      "import-x/extensions": [".ts", ".tsx", ".js", ".mjs", ".cjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      // Sources import `./x.js` (NodeNext) while the file on disk is `x.ts`: without the alias the
      // resolver finds nothing, and no-cycle silently checks nothing (test/lint/ proves it does).
      "import-x/resolver-next": [
        createNodeResolver({
          extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json", ".node"],
          extensionAlias: { ".js": [".ts", ".tsx", ".js"] },
        }),
      ],
    },
  },
  {
    // One public surface per feature: from outside, a feature is imported through its index.ts
    // (table types excepted: db/ assembles the Database type from them). Checked on resolved
    // paths, not on how the specifier is spelled, so `./access/x.js` from src/main.ts counts too.
    // The fixture tree is held to the same zones so test/lint/ can prove the rule fires.
    files: ["src/**/*.ts", `${LINT_FIXTURE}/**/*.ts`],
    rules: {
      "import-x/no-restricted-paths": [
        "error",
        {
          basePath: ROOT,
          zones: ["src", `${LINT_FIXTURE}/src`].flatMap((sourceRoot) =>
            FEATURES.map((f) => featureZone(sourceRoot, f)),
          ),
        },
      ],
    },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
