// Reading events back as plain values, for structs that chai's withArgs compares awkwardly.
import type { BaseContract, ContractTransactionResponse, Log } from "ethers";
import { plain } from "./deals.ts";

/** Arguments of every `name` event `contract` emitted in the transaction, as plain objects. */
export async function eventsOf(
  contract: BaseContract,
  tx: Promise<ContractTransactionResponse> | ContractTransactionResponse,
  name: string,
): Promise<Record<string, any>[]> {
  const receipt = (await (await tx).wait())!;
  const address = (await contract.getAddress()).toLowerCase();
  return receipt.logs
    .filter((log: Log) => log.address.toLowerCase() === address)
    .map((log: Log) => contract.interface.parseLog(log))
    .filter((event) => event !== null && event.name === name)
    .map((event) => plain(event!.args));
}

/** The object with every number turned into a bigint, as ethers decodes integers. */
export function bigints<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([key, entry]) => [key, typeof entry === "number" ? BigInt(entry) : entry]),
  );
}
