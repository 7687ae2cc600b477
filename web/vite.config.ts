import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run build` writes the UI to dist/web, which the server serves at `/`.
// `npm run dev:web` serves it with hot reload and forwards the API to a server on :8080.
const server = process.env.SWITCHBOARD_URL ?? "http://localhost:8080";

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks: (id) =>
          id.includes("node_modules/@mantine") || id.includes("node_modules/mantine-datatable")
            ? "mantine"
            : id.includes("node_modules")
              ? "vendor"
              : undefined,
      },
    },
  },
  server: {
    proxy: Object.fromEntries(
      ["/api", "/openapi.json", "/.well-known"].map((p) => [p, { target: server }]),
    ),
  },
});
