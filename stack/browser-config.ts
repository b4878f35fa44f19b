// What the web market learns about the stack at GET /config.json (protocol/stack-config.ts).
import { demoAccounts } from "../protocol/accounts.ts";
import type { Deployment } from "../protocol/deployment.ts";
import type { StackConfig } from "../protocol/stack-config.ts";
import type { StackSettings } from "./config.ts";

/**
 * The browser's view of the stack; undefined until the deployment is known.
 * @example
 * browserConfig(settings, stack.deployment); // { chainId: 31337, chainName: "CCEX local", rpcUrl: "/rpc", … }
 */
export function browserConfig(
  settings: Pick<StackSettings, "chain" | "chainName" | "explorerTxUrl">,
  deployment: Deployment | undefined,
): StackConfig | undefined {
  if (deployment === undefined) return undefined;
  const local = settings.chain.kind === "local";
  return {
    chainId: deployment.chainId,
    chainName: settings.chainName ?? (local ? "CCEX local" : `chain ${deployment.chainId}`),
    rpcUrl: "/rpc",
    graphqlUrl: "/graphql",
    apiUrl: "/api",
    deployment,
    local,
    // The menu lets a newcomer play every side of a local chain, with or without the seeded market.
    demoAccounts: local ? demoAccounts().map(({ role, address, privateKey }) => ({ role, address, privateKey })) : [],
    explorerTxUrl: settings.explorerTxUrl,
  };
}
