import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { importX } from "eslint-plugin-import-x";

const FEATURES = [
  "access",
  "audit",
  "keystore",
  "oidc",
  "outbound",
  "connections",
  "actions",
  "workflows",
  "inventory",
  "organizations",
];

export default tseslint.config(
  {
    ignores: [
      "dist/",
      "node_modules/",
      "data/",
      "coverage/",
      "test-results/",
      "web/src/api/openapi.d.ts",
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
    settings: { "import-x/resolver": { node: { extensions: [".ts", ".js"] } } },
  },
  {
    // One public surface per feature: from outside, a feature is imported through its index.ts
    // (table types excepted: db/ assembles the Database type from them).
    files: ["src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: FEATURES.map((f) => ({
            regex: `^(\\.\\./)+(src/)?${f}/(?!index\\.js$|[a-z-]*\\.?tables?\\.js$).+`,
            message: `import the ${f} feature through its index.js`,
          })),
        },
      ],
    },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
