// The web market's build, dev server and component tests (scripts/test.ts runs the `web` suite
// with this file). The dev server forwards the stack's routes so `npx vite --config
// frontend/vite.config.ts` works against a running `npm start` (or CCEX_STACK_URL).

import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

import { bundleBudget } from "./build/bundle-budget.ts";

const root = fileURLToPath(new URL(".", import.meta.url));
const stack = process.env.CCEX_STACK_URL ?? "http://127.0.0.1:8080";
const proxied = ["/api", "/graphql", "/rpc", "/config.json", "/health"];

export default defineConfig({
  root,
  plugins: [react(), bundleBudget({ maxInitialGzipBytes: 300 * 1024 })],
  server: {
    host: "127.0.0.1",
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: stack, changeOrigin: true, ws: false }])),
  },
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    // The report and the budget are bundle-budget's job.
    reportCompressedSize: false,
  },
  test: {
    root: fileURLToPath(new URL("..", import.meta.url)),
    environment: "jsdom",
    include: ["test/frontend/**/*.test.{ts,tsx}"],
    setupFiles: ["test/frontend/setup.ts"],
    // Two shared cores: one worker keeps the suite from starving the other helpers' tests, and a
    // longer timeout keeps a busy machine from failing a page test that is merely slow.
    maxWorkers: 1,
    testTimeout: 20_000,
  },
});
