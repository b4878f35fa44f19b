// Renders a page or component inside the app's providers (config, react-query, i18n, wallet,
// transactions) and a memory router, with a stack config like the one `npm start` serves.
import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import i18next from "i18next";
import type { ReactNode } from "react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { AppProviders } from "../../frontend/src/app/App.tsx";
import { demoAccounts } from "../../protocol/accounts.ts";
import type { StackConfig } from "../../protocol/stack-config.ts";

const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;

/** Derived once per file: HD derivation of six keys takes a while in jsdom. */
let demo: StackConfig["demoAccounts"] | null = null;
const demoMenu = () =>
  (demo ??= demoAccounts().map(({ role, address, privateKey }) => ({ role, address, privateKey })));

export function testConfig(overrides: Partial<StackConfig> = {}): StackConfig {
  return {
    chainId: 31337,
    chainName: "CCEX local",
    rpcUrl: "/rpc",
    graphqlUrl: "/graphql",
    apiUrl: "/api",
    deployment: {
      chainId: 31337,
      startBlock: 1,
      deployedAt: "2026-11-21T00:00:00Z",
      deployer: address(1),
      contracts: {
        Market: address(0x10),
        GreenCertificates: address(0x11),
        CarbonCredits: address(0x12),
        SettlementToken: address(0x13),
        BatchSettlement: address(0x14),
        OrderPosting: address(0x15),
        DealClosing: address(0x16),
      },
      localSettlementToken: true,
      roles: {
        admin: address(1),
        matcher: address(2),
        arbiter: address(3),
        pauser: address(1),
        registrar: address(4),
        treasury: address(5),
      },
      ignitionDeploymentId: "chain-31337",
    },
    local: true,
    demoAccounts: demoMenu(),
    explorerTxUrl: null,
    ...overrides,
  };
}

export async function renderInApp(
  ui: ReactNode,
  options: { config?: StackConfig; language?: "en" | "zh-CN"; path?: string } = {},
) {
  await i18next.changeLanguage(options.language ?? "en");
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const router = createMemoryRouter([{ path: "*", element: ui }], { initialEntries: [options.path ?? "/"] });
  const result = render(
    <AppProviders config={options.config ?? testConfig()} queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProviders>,
  );
  // The client lets a test stand in for a new block (invalidating the live queries, as the app does).
  return { ...result, queryClient };
}
