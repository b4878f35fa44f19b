// Which contracts to follow: addresses and start block from the deployment file scripts/deploy.ts
// writes (protocol/deployment.ts), ABIs from protocol/generated/abis.ts (made from the artifacts).
import type { Abi } from "viem";
import { readDeployment } from "../protocol/deployment.ts";
import { INDEXED_CONTRACTS, type IndexedContract } from "./contracts.ts";
import { IndexerError } from "./errors.ts";
import type { ContractSpec } from "./sync/decode.ts";

export type IndexedDeployment = { chainId: number; startBlock: number; contracts: ContractSpec[] };

export async function loadContracts(chainId: number, file: string | null): Promise<IndexedDeployment> {
  const d = await readDeployment(file ?? chainId);
  if (d.chainId !== chainId) {
    throw new IndexerError(
      "WRONG_CHAIN",
      `the deployment file is for chain ${d.chainId}, the node is chain ${chainId}`,
    );
  }
  const contracts = (Object.keys(INDEXED_CONTRACTS) as IndexedContract[]).map((name) => ({
    name,
    address: d.contracts[name],
    abi: INDEXED_CONTRACTS[name] as Abi,
  }));
  return { chainId, startBlock: d.startBlock, contracts };
}
