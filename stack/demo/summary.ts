// What the demo market holds, counted from the chain: the `seeded` event's summary, and what the
// tests check the seed against.
import type { DemoChain } from "./chain.ts";

export type MarketSummary = {
  devices: number;
  certificateBatches: number;
  bids: number;
  computeOffers: number;
  energyOffers: number;
  bandwidthOffers: number;
  deals: number;
  dealsFinalized: number;
  dealsCancelled: number;
  disputes: number;
  certificateRetirements: number;
  /** gCO2e minted to buyers by finalised deals. */
  creditsMinted: string;
  creditRetirements: number;
};

export async function marketSummary(chain: DemoChain, fromBlock: bigint): Promise<MarketSummary> {
  const count = async (contract: "market" | "certificates" | "credits", eventName: string) =>
    (
      await chain.publicClient.getContractEvents({
        address: chain.addresses[contract],
        abi: chain.abis[contract],
        eventName,
        fromBlock,
      } as never)
    ).length;
  const minted = await chain.publicClient.getContractEvents({
    address: chain.addresses.credits,
    abi: chain.abis.credits,
    eventName: "CreditsMinted",
    fromBlock,
  } as never);
  const number = async (contract: "market" | "certificates", name: string) => Number(await chain.read(contract, name));
  return {
    devices: await number("certificates", "deviceCount"),
    certificateBatches: await number("certificates", "batchCount"),
    bids: await number("market", "bidCount"),
    computeOffers: await number("market", "computeOfferCount"),
    energyOffers: await number("market", "energyOfferCount"),
    bandwidthOffers: await number("market", "bandwidthOfferCount"),
    deals: await number("market", "dealCount"),
    dealsFinalized: await count("market", "DealFinalized"),
    dealsCancelled: await count("market", "DealCancelled"),
    disputes: await count("market", "DealDisputed"),
    certificateRetirements: await count("certificates", "CertificatesRetired"),
    creditsMinted: minted
      .reduce((sum, log) => sum + (log as unknown as { args: { amount: bigint } }).args.amount, 0n)
      .toString(),
    creditRetirements: await count("credits", "CreditsRetired"),
  };
}
