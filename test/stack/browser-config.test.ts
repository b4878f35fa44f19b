import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { demoAccounts } from "../../protocol/accounts.ts";
import { type Deployment, parseDeployment } from "../../protocol/deployment.ts";
import { parseStackConfig } from "../../protocol/stack-config.ts";
import { browserConfig } from "../../stack/browser-config.ts";

const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as const;
const deployment = (chainId: number): Deployment =>
  parseDeployment({
    chainId,
    startBlock: 1,
    deployedAt: "2025-01-01T00:00:00Z",
    deployer: address(1),
    contracts: {
      Market: address(2),
      GreenCertificates: address(3),
      CarbonCredits: address(4),
      SettlementToken: address(5),
      BatchSettlement: address(6),
      OrderPosting: address(7),
      DealClosing: address(8),
    },
    localSettlementToken: chainId === 31337,
    roles: {
      admin: address(1),
      matcher: address(8),
      arbiter: address(9),
      pauser: address(1),
      registrar: address(10),
      treasury: address(11),
    },
    ignitionDeploymentId: `chain-${chainId}`,
  });
const local = { chain: { kind: "local", nodePort: 8545 }, chainName: undefined, explorerTxUrl: null } as const;
const remote = {
  chain: { kind: "remote", rpcUrl: "https://rpc.example", deploymentFile: "/srv/8453.json" },
  chainName: undefined,
  explorerTxUrl: "https://basescan.org/tx/{hash}",
} as const;

describe("the browser config (/config.json)", () => {
  it("is undefined until the deployment is known", () => {
    assert.equal(browserConfig(local, undefined), undefined);
  });

  it("names a local chain 'CCEX local', points at the origin's paths and offers every demo account", () => {
    const config = browserConfig(local, deployment(31337))!;
    assert.deepEqual(parseStackConfig(config), config, "a valid stack config");
    assert.equal(config.chainName, "CCEX local");
    assert.deepEqual([config.rpcUrl, config.graphqlUrl, config.apiUrl], ["/rpc", "/graphql", "/api"]);
    assert.equal(config.local, true);
    assert.deepEqual(
      config.demoAccounts.map((a) => a.address),
      demoAccounts().map((a) => a.address),
    );
    assert.equal(config.explorerTxUrl, null);
  });

  it("hands out no keys on an existing chain, and names it by its id unless CHAIN_NAME says otherwise", () => {
    const config = browserConfig(remote, deployment(8453))!;
    assert.equal(config.local, false);
    assert.deepEqual(config.demoAccounts, []);
    assert.equal(config.chainName, "chain 8453");
    assert.equal(config.explorerTxUrl, "https://basescan.org/tx/{hash}");
    assert.equal(browserConfig({ ...remote, chainName: "Base" }, deployment(8453))!.chainName, "Base");
  });
});
