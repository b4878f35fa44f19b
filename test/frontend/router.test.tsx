// The app's own routes on a direct load of a lazy page: the layout shows at once with a loading line
// in the page's place, and React Router has nothing to warn about (no "No `HydrateFallback` element").
import { QueryClient } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import i18next from "i18next";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";

import { AppProviders } from "../../frontend/src/app/App.tsx";
import { routes } from "../../frontend/src/app/router.tsx";
import { testConfig } from "./render.tsx";
import { stubNetwork } from "./render-page.tsx";

afterEach(() => vi.restoreAllMocks());

describe("router", () => {
  it("loads a page directly without React Router's HydrateFallback warning", async () => {
    const warn = vi.spyOn(console, "warn");
    stubNetwork({ graphql: {} });
    await i18next.changeLanguage("en");
    const router = createMemoryRouter(routes(), { initialEntries: ["/trace"] });
    render(
      <AppProviders config={testConfig()} queryClient={new QueryClient()}>
        <RouterProvider router={router} />
      </AppProviders>,
    );
    expect(await screen.findByRole("heading", { level: 1, name: "Trace" })).toBeTruthy();
    const said = warn.mock.calls.map((args) => args.join(" "));
    expect(said.filter((line) => line.includes("HydrateFallback"))).toEqual([]);
  });
});
