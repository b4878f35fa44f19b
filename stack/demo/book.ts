// The demo's view of the order book in hours, folded from the market's events: every order as posted,
// minus what cancellations and deals took (a deal's terms name its start, its VCU over the job's hours,
// its energy lots per hour and the link Mbps it reserved). The seed schedules it with the backend's
// fast scheduler (backend/pricing/schedule) and the housekeeping cancels what expired.
import type { Address, PublicClient } from "viem";

import type {
  HourlyBandwidthOffer,
  HourlyComputeOffer,
  HourlyEnergyOffer,
  TimedBid,
  TimedBook,
} from "../../backend/pricing/schedule/types.ts";
import { marketAbi } from "../../protocol/generated/abis.ts";
import { hourIndex, hoursOf } from "../../protocol/hours.ts";
import { SECONDS_PER_HOUR } from "../../protocol/units.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Bid = Mutable<TimedBid> & { reservedLinks: bigint[]; open: boolean };
type Compute = Mutable<HourlyComputeOffer> & { usedVcu: Map<number, number> };
type Energy = Mutable<HourlyEnergyOffer> & { soldWhPerHour: bigint[]; open: boolean };
type Link = Mutable<HourlyBandwidthOffer> & { usedMbps: Map<number, bigint> };

export class DemoBook {
  readonly #client: PublicClient;
  readonly #market: Address;
  #nextBlock: bigint;
  readonly bids = new Map<bigint, Bid>();
  readonly computeOffers = new Map<bigint, Compute>();
  readonly energyOffers = new Map<bigint, Energy>();
  readonly bandwidthOffers = new Map<bigint, Link>();

  constructor(p: { client: PublicClient; market: Address; startBlock: bigint }) {
    this.#client = p.client;
    this.#market = p.market;
    this.#nextBlock = p.startBlock;
  }

  /** Reads the events since the last sync. */
  async sync(): Promise<void> {
    const toBlock = await this.#client.getBlockNumber();
    if (toBlock < this.#nextBlock) return;
    const logs = await this.#client.getContractEvents({
      address: this.#market,
      abi: marketAbi,
      fromBlock: this.#nextBlock,
      toBlock,
      strict: true,
    });
    for (const log of logs) this.#apply(log);
    this.#nextBlock = toBlock + 1n;
  }

  // biome-ignore lint/suspicious/noExplicitAny: one switch over the market's event union
  #apply(log: { eventName: string; args: any }): void {
    const { args } = log;
    switch (log.eventName) {
      case "BidPosted": {
        const b = args.bid;
        this.bids.set(args.bidId, {
          id: args.bidId,
          buyer: args.buyer,
          hardwareClass: b.hardwareClass,
          acceptableRegions: BigInt(b.acceptableRegions),
          buyerRegion: b.buyerRegion,
          earliestStart: b.earliestStart,
          latestEnd: b.latestEnd,
          durationHours: b.durationHours,
          vcu: b.vcu,
          filledVcu: 0,
          start: 0,
          limitPricePerVcuHour: b.limitPricePerVcuHour,
          minGreenBps: b.minGreenBps,
          certificateOrigin: b.certificateOrigin,
          bandwidthMbps: BigInt(b.bandwidthMbps),
          maxLatencyMs: b.maxLatencyMs,
          expiry: b.expiry,
          reservedLinks: [],
          open: true,
        });
        return;
      }
      case "BidCancelled": {
        const bid = this.bids.get(args.bidId);
        if (bid !== undefined) bid.open = false;
        return;
      }
      case "ComputeOfferPosted": {
        const o = args.offer;
        this.computeOffers.set(args.offerId, {
          id: args.offerId,
          supplier: args.supplier,
          hardwareClass: o.hardwareClass,
          region: o.region,
          windowStart: o.windowStart,
          windowEnd: o.windowEnd,
          vcu: o.vcu,
          usedVcu: new Map(),
          reservePricePerVcuHour: o.reservePricePerVcuHour,
          whPerVcuHour: BigInt(o.whPerVcuHour),
          pueMilli: o.pueMilli,
          expiry: o.expiry,
        });
        return;
      }
      case "ComputeOfferCancelled": {
        const offer = this.computeOffers.get(args.offerId);
        if (offer !== undefined) offer.vcu = 0;
        return;
      }
      case "EnergyOfferPosted": {
        const o = args.offer;
        this.energyOffers.set(args.offerId, {
          id: args.offerId,
          supplier: args.supplier,
          deviceId: args.deviceId,
          source: args.source,
          region: args.region,
          firstHour: o.firstHour,
          whPerHour: [...o.whPerHour],
          soldWhPerHour: o.whPerHour.map(() => 0n),
          reservePricePerKwh: o.reservePricePerKwh,
          expiry: o.expiry,
          open: true,
        });
        return;
      }
      case "EnergyOfferCancelled": {
        const offer = this.energyOffers.get(args.offerId);
        if (offer !== undefined) offer.open = false;
        return;
      }
      case "BandwidthOfferPosted": {
        const o = args.offer;
        this.bandwidthOffers.set(args.offerId, {
          id: args.offerId,
          supplier: args.supplier,
          fromRegion: o.fromRegion,
          toRegion: o.toRegion,
          mbps: BigInt(o.mbps),
          usedMbps: new Map(),
          latencyMs: o.latencyMs,
          windowStart: o.windowStart,
          windowEnd: o.windowEnd,
          reservePricePerMbpsHour: o.reservePricePerMbpsHour,
          expiry: o.expiry,
        });
        return;
      }
      case "BandwidthOfferCancelled": {
        const offer = this.bandwidthOffers.get(args.offerId);
        if (offer !== undefined) offer.mbps = 0n;
        return;
      }
      case "DealOpened": {
        const t = args.terms;
        const hours = hoursOf(t.start, t.start + t.durationHours * SECONDS_PER_HOUR);
        const bid = this.bids.get(t.bidId);
        if (bid !== undefined) {
          bid.filledVcu += Number(t.vcu);
          bid.start = t.start;
          if (t.bandwidthMbps > 0n) bid.reservedLinks.push(t.bandwidthOfferId);
        }
        const compute = this.computeOffers.get(t.computeOfferId);
        if (compute !== undefined)
          for (const h of hours) compute.usedVcu.set(h, (compute.usedVcu.get(h) ?? 0) + Number(t.vcu));
        for (const lot of t.energyLots) {
          const offer = this.energyOffers.get(lot.offerId);
          if (offer === undefined) continue;
          const i = hourIndex(lot.hour) - hourIndex(offer.firstHour);
          offer.soldWhPerHour[i] += lot.wh;
        }
        const link = this.bandwidthOffers.get(t.bandwidthOfferId);
        if (link !== undefined && t.bandwidthMbps > 0n)
          for (const h of hours) link.usedMbps.set(h, (link.usedMbps.get(h) ?? 0n) + t.bandwidthMbps);
        return;
      }
    }
  }

  /** Bids with VCU left to serve. */
  openBids(): Bid[] {
    return [...this.bids.values()].filter((b) => b.open && b.filledVcu < b.vcu);
  }

  /** Energy offers with Wh left unsold in some hour. */
  openEnergyOffers(): Energy[] {
    return [...this.energyOffers.values()].filter(
      (o) => o.open && o.whPerHour.some((wh, i) => wh > o.soldWhPerHour[i]),
    );
  }

  /**
   * The book as the scheduler takes it at `now`: live orders only, and a bid whose start is not fixed
   * yet may start no earlier than the next whole hour after `now` (the market accepts any start inside
   * the bid's window, even one already past; a job cannot run in the past).
   */
  timedBook(now: number): TimedBook {
    const firstStart = Math.ceil((now + 60) / SECONDS_PER_HOUR) * SECONDS_PER_HOUR;
    const bids: TimedBid[] = [];
    for (const bid of this.openBids()) {
      if (bid.expiry <= now) continue;
      if (bid.start !== 0) {
        if (bid.start >= firstStart) bids.push(bid);
        continue;
      }
      const earliestStart = Math.max(bid.earliestStart, firstStart);
      if (earliestStart + bid.durationHours * SECONDS_PER_HOUR <= bid.latestEnd) bids.push({ ...bid, earliestStart });
    }
    return {
      bids,
      computeOffers: [...this.computeOffers.values()].filter((o) => o.vcu > 0 && o.expiry > now),
      energyOffers: this.openEnergyOffers().filter((o) => o.expiry > now),
      bandwidthOffers: [...this.bandwidthOffers.values()].filter((o) => o.mbps > 0n && o.expiry > now),
    };
  }
}
