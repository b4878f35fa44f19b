// Renders one page of the web market inside the app's real providers, on a memory router, with
// the network answered here: GraphQL by operation name (from fixtures captured off a real indexer)
// and JSON-RPC by method and called function (so a test can see the exact calldata a button sends
// and answer it, e.g. with a custom-error revert).
import { QueryClient } from "@tanstack/react-query";
import { act, configure, render } from "@testing-library/react";
import i18next from "i18next";
import { createMemoryRouter, RouterProvider } from "react-router";
import { decodeFunctionData, encodeFunctionResult, type Hex } from "viem";
import { vi } from "vitest";
import { AppProviders } from "../../frontend/src/app/App.tsx";
import { setupI18n } from "../../frontend/src/lib/i18n.ts";
import { ACCOUNT_PLAN, type DemoRole, demoAccounts, devAccount } from "../../protocol/accounts.ts";
import { abis } from "../../protocol/generated/abis.ts";
import type { StackConfig } from "../../protocol/stack-config.ts";

// The first render of a file transforms the page's modules on two shared cores: allow it time.
configure({ asyncUtilTimeout: 5_000 });

const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as `0x${string}`;

export const testConfig: StackConfig = {
  chainId: 31337,
  chainName: "CCEX test",
  rpcUrl: "/rpc",
  graphqlUrl: "/graphql",
  apiUrl: "/api",
  local: true,
  explorerTxUrl: null,
  demoAccounts: demoAccounts().map(({ role, address, privateKey }) => ({ role, address, privateKey })),
  deployment: {
    chainId: 31337,
    startBlock: 1,
    deployedAt: "2026-11-21T00:00:00.000Z",
    deployer: devAccount(ACCOUNT_PLAN.admin).address,
    contracts: {
      Market: address(0xa1),
      GreenCertificates: address(0xa2),
      CarbonCredits: address(0xa3),
      SettlementToken: address(0xa4),
      BatchSettlement: address(0xa5),
      OrderPosting: address(0xa6),
      DealClosing: address(0xa7),
    },
    localSettlementToken: true,
    roles: {
      admin: devAccount(ACCOUNT_PLAN.admin).address,
      matcher: devAccount(ACCOUNT_PLAN.matcher).address,
      arbiter: devAccount(ACCOUNT_PLAN.arbiter).address,
      pauser: devAccount(ACCOUNT_PLAN.admin).address,
      registrar: devAccount(ACCOUNT_PLAN.registrar).address,
      treasury: devAccount(ACCOUNT_PLAN.treasury).address,
    },
    ignitionDeploymentId: "test",
  },
};

/** `testConfig` with the contracts at other addresses (those of a captured chain). */
export function configWith(contracts: Partial<StackConfig["deployment"]["contracts"]>): StackConfig {
  return {
    ...testConfig,
    deployment: { ...testConfig.deployment, contracts: { ...testConfig.deployment.contracts, ...contracts } },
  };
}

function contractAbis(config: StackConfig): Record<string, (typeof abis)[keyof typeof abis]> {
  const c = config.deployment.contracts;
  return {
    [c.Market.toLowerCase()]: abis.Market,
    [c.GreenCertificates.toLowerCase()]: abis.GreenCertificates,
    [c.CarbonCredits.toLowerCase()]: abis.CarbonCredits,
    [c.SettlementToken.toLowerCase()]: abis.LocalSettlementToken,
  };
}

/** An eth_call as the page made it: the contract called, the function and its decoded arguments. */
export type SeenCall = { to: string; functionName: string; args: readonly unknown[] };

export type Network = {
  /** GraphQL answers by operation name: data, or a function of the variables. */
  graphql: Record<string, unknown | ((variables: Record<string, unknown>) => unknown)>;
  /**
   * eth_call answers by function name: the function's return value, or `{ revert: data }`; a function
   * answers from the call's decoded arguments.
   */
  calls?: Record<string, unknown | { revert: Hex }>;
  /** Other JSON-RPC methods (getTransaction, …) by method name. */
  rpc?: Record<string, (params: unknown[]) => unknown>;
  /** The REST API under /api (e.g. /api/metering/…): an answer for the URL, or undefined for a 404. */
  api?: (url: URL) => { status?: number; body: unknown } | undefined;
};

export type Harness = { calls: SeenCall[]; graphql: { operation: string; variables: Record<string, unknown> }[] };

function json(body: unknown, status = 200): Response {
  return new Response(
    JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)),
    { status, headers: { "content-type": "application/json" } },
  );
}

/** Replaces fetch with the answers of `network`; returns what the page asked for. */
export function stubNetwork(network: Network, config: StackConfig = testConfig): Harness {
  const seen: Harness = { calls: [], graphql: [] };
  const abiAt = contractAbis(config);
  const rpc = (request: { id: number; method: string; params: unknown[] }) => {
    const reply = (result: unknown) => ({ jsonrpc: "2.0", id: request.id, result });
    if (request.method === "eth_chainId") return reply("0x7a69");
    if (request.method === "eth_blockNumber") return reply("0x10");
    if (request.method === "eth_call") {
      const { to, data } = request.params[0] as { to: string; data: Hex };
      const abi = abiAt[to.toLowerCase()];
      const call = decodeFunctionData({ abi, data });
      seen.calls.push({ to, functionName: call.functionName, args: call.args ?? [] });
      const given = network.calls?.[call.functionName];
      const answer = typeof given === "function" ? given(call.args ?? []) : given;
      if (answer && typeof answer === "object" && "revert" in answer) {
        return {
          jsonrpc: "2.0",
          id: request.id,
          error: { code: 3, message: "execution reverted", data: (answer as { revert: Hex }).revert },
        };
      }
      if (answer === undefined)
        return {
          jsonrpc: "2.0",
          id: request.id,
          error: { code: -32000, message: `test network: no answer for ${call.functionName}` },
        };
      return reply(encodeFunctionResult({ abi, functionName: call.functionName, result: answer } as never));
    }
    const handler = network.rpc?.[request.method];
    if (handler) return reply(handler(request.params));
    return { jsonrpc: "2.0", id: request.id, error: { code: -32601, message: `test network: no ${request.method}` } };
  };
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input instanceof Request ? input.url : input), "http://localhost");
      const body = JSON.parse(String(init?.body ?? "null"));
      if (url.pathname === "/graphql") {
        const operation = /(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1] ?? "";
        seen.graphql.push({ operation, variables: body.variables ?? {} });
        const answer = network.graphql[operation];
        if (answer === undefined) return json({ errors: [{ message: `test network: no answer for ${operation}` }] });
        const data =
          typeof answer === "function"
            ? (answer as (v: Record<string, unknown>) => unknown)(body.variables ?? {})
            : answer;
        return json(data && typeof data === "object" && "errors" in data ? data : { data });
      }
      if (url.pathname === "/rpc") return json(Array.isArray(body) ? body.map(rpc) : rpc(body));
      const answer = url.pathname.startsWith("/api/") ? network.api?.(url) : undefined;
      if (answer !== undefined) return json(answer.body, answer.status ?? 200);
      return json({ error: `test network: nothing at ${url.pathname}` }, 404);
    }),
  );
  return seen;
}

type RenderOptions = { path: string; route: string; as?: DemoRole; language?: "en" | "zh-CN"; config?: StackConfig };

/** Renders the page module at `route` (e.g. "/account") for the URL `path`, signed in as a demo role if asked. */
export async function renderPage(
  Page: React.ComponentType,
  { path, route, as, language = "en", config = testConfig }: RenderOptions,
) {
  // App.tsx starts i18next when it is imported; a second init racing the first would leave its
  // promise (which the providers suspend on) unresolved.
  if (!i18next.isInitialized) await new Promise((resolve) => i18next.on("initialized", resolve));
  const i18n = await setupI18n(language);
  // Texts load lazily per namespace; loading them first keeps a cold first test from timing out on the boot screen.
  await i18n.loadNamespaces(["common", "errors", "account", "trace", "dashboard", "tx"]);
  if (as) localStorage.setItem("ccex.wallet", JSON.stringify({ kind: "demo", role: as }));
  const router = createMemoryRouter(
    [
      { path: route, Component: Page },
      { path: "*", Component: () => null },
    ],
    { initialEntries: [path] },
  );
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  // An async act lets React resume what suspended on the first render (the providers wait for i18n).
  let view!: ReturnType<typeof render>;
  await act(async () => {
    view = render(
      <AppProviders config={config} queryClient={queryClient}>
        <RouterProvider router={router} />
      </AppProviders>,
    );
  });
  return { ...view, router };
}

export const demo = (role: DemoRole) => testConfig.demoAccounts.find((a) => a.role === role)!.address;
