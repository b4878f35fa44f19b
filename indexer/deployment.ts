// Which contracts to follow: addresses and start block from the deployment file scripts/deploy.ts
// writes, ABIs from protocol/generated/abis.ts (generated from the build artifacts).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Abi } from "viem";
import { ROOT } from "./config.ts";
import { IndexerError } from "./errors.ts";
import { handlers } from "./handlers/index.ts";
import type { ContractSpec } from "./sync/decode.ts";

export type IndexedDeployment = { chainId: number; startBlock: number; contracts: ContractSpec[] };

export async function loadContracts(chainId: number, file: string | null): Promise<IndexedDeployment> {
  const where = file ?? path.join(ROOT, "deployments", `${chainId}.json`);
  if (!existsSync(where)) {
    throw new IndexerError("NO_DEPLOYMENT", `no deployment file ${where}: deploy first (npm run deploy) or set INDEXER_DEPLOYMENT`);
  }
  const d = JSON.parse(readFileSync(where, "utf8"));
  const abis = (await import("../protocol/generated/abis.ts")) as Record<string, Abi>;
  if (d.chainId !== undefined && Number(d.chainId) !== chainId) {
    throw new IndexerError("WRONG_CHAIN", `${where} is for chain ${d.chainId}, the node is chain ${chainId}`);
  }
  const contracts = Object.keys(handlers.contracts).map((name) => {
    const entry = d.contracts?.[name];
    const address = typeof entry === "string" ? entry : entry?.address;
    const abi = abis[`${name[0].toLowerCase()}${name.slice(1)}Abi`];
    if (!address) throw new IndexerError("NO_DEPLOYMENT", `${where} has no address for ${name}`);
    if (!abi) throw new IndexerError("NO_ABI", `protocol/generated/abis.ts has no ABI for ${name}`);
    return { name, address, abi };
  });
  return { chainId, startBlock: Number(d.startBlock ?? 0), contracts };
}
