// The deployment file scripts/deploy.ts writes (deployments/<chainId>.json): which addresses to talk
// to and the block the market was deployed in, from which its events are read.
import { readFile } from "node:fs/promises";

import { type Address, getAddress } from "viem";
import { z } from "zod";

import { FatalChainError } from "./errors.ts";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address").transform((a) => getAddress(a));
const Entry = z.union([address, z.object({ address })]).transform((e) => (typeof e === "string" ? e : e.address));
const DeploymentFile = z.object({
  chainId: z.coerce.number().int().positive(),
  startBlock: z.coerce.bigint().nonnegative().default(0n),
  contracts: z.object({ Market: Entry }).catchall(Entry),
});

export type Deployment = { chainId: number; startBlock: bigint; market: Address; contracts: Record<string, Address> };

/**
 * @example
 * const { market, startBlock } = await readDeployment("deployments/31337.json", 31337)
 */
export async function readDeployment(file: string, expectedChainId?: number): Promise<Deployment> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new FatalChainError(`cannot read deployment ${file}`, { details: (err as Error).message, cause: err });
  }
  const parsed = DeploymentFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new FatalChainError(`deployment ${file} is malformed`, { details: problems });
  }
  const d = parsed.data;
  if (expectedChainId !== undefined && d.chainId !== expectedChainId) {
    throw new FatalChainError(`deployment ${file} is for chain ${d.chainId}, the node is chain ${expectedChainId}`);
  }
  return { chainId: d.chainId, startBlock: d.startBlock, market: d.contracts.Market, contracts: d.contracts };
}
