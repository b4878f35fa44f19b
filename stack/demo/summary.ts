// What the demo market holds, counted from the chain: the `seeded` event's summary, and what the
// tests check the seed against.
import type { DemoChain } from "./chain.ts";

export type MarketSummary = {
  devices: number;
  /** Certificate issues (each names a device's consecutive hours). */
  certificateIssues: number;
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
  /** Certificate Wh retired by finalised deals, each in the hour it was generated. */
  retiredGreenWh: string;
  /** Wh metered by finalised deals. */
  meteredWh: string;
  /** retiredGreenWh ÷ meteredWh in bps (the dashboard's time-matched green share), 0 without finalised deals. */
  timeMatchedGreenBps: number;
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
  const finalized = await chain.publicClient.getContractEvents({
    address: chain.addresses.market,
    abi: chain.abis.market,
    eventName: "DealFinalized",
    fromBlock,
    strict: true,
  });
  let retired = 0n;
  let metered = 0n;
  for (const { args } of finalized) {
    metered += args.outcome.whConsumed;
    for (const lot of args.outcome.energyLots) retired += lot.retiredWh;
  }
  const number = async (contract: "market" | "certificates", name: string) => Number(await chain.read(contract, name));
  return {
    devices: await number("certificates", "deviceCount"),
    certificateIssues: await number("certificates", "issueCount"),
    bids: await number("market", "bidCount"),
    computeOffers: await number("market", "computeOfferCount"),
    energyOffers: await number("market", "energyOfferCount"),
    bandwidthOffers: await number("market", "bandwidthOfferCount"),
    deals: await number("market", "dealCount"),
    dealsFinalized: finalized.length,
    dealsCancelled: await count("market", "DealCancelled"),
    disputes: await count("market", "DealDisputed"),
    certificateRetirements: await count("certificates", "CertificatesRetired"),
    creditsMinted: minted
      .reduce((sum, log) => sum + (log as unknown as { args: { amount: bigint } }).args.amount, 0n)
      .toString(),
    creditRetirements: await count("credits", "CreditsRetired"),
    retiredGreenWh: retired.toString(),
    meteredWh: metered.toString(),
    timeMatchedGreenBps: metered === 0n ? 0 : Number((retired * 10_000n) / metered),
  };
}
