// Component tests run in jsdom without a stack: any request the page makes fails at once (as if
// the stack were down) unless a test stubs fetch itself. Each test gets a fresh DOM and storage.
import { cleanup, configure } from "@testing-library/react";
import { afterEach, beforeEach, vi } from "vitest";

import { setupI18n } from "../../frontend/src/lib/i18n.ts";

// Texts load lazily in the app; loading them up front keeps each test's first render fast.
const i18n = await setupI18n("en");
await i18n.loadLanguages(["en", "zh-CN"]);
await i18n.loadNamespaces(["common", "errors", "market", "buy", "supply"]);

// findBy/waitFor give a page up to 5 s: lazy chunks and texts load slowly on a busy shared machine.
configure({ asyncUtilTimeout: 5_000 });

beforeEach(() => {
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => Promise.reject(new TypeError("no stack in component tests"))),
  );
});

afterEach(() => {
  cleanup();
  localStorage.clear();
  vi.unstubAllGlobals();
});
