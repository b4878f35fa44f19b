// The demo market's participants at work: suppliers post offers, buyers post bids, energy suppliers
// certify metered generation and offer it, deals are reported, confirmed, disputed and ruled on, and
// now and then orders gone stale are cancelled, balances withdrawn and credits retired. Used by the
// seed (chain time moved forward through days of history) and by the live simulator (wall-clock
// pace); every choice comes from the seeded PRNG.

import type { Logger } from "pino";
import { type Address, parseEventLogs } from "viem";
import { ChainBookSource } from "../../backend/book/chain-book-source.ts";
import { DealLedger, type OpenDeal } from "../../backend/keeper/deal-ledger.ts";
import { ACCOUNT_PLAN, type DevAccount, devAccount, simulatorAccount } from "../../protocol/accounts.ts";
import type { Deployment } from "../../protocol/deployment.ts";
import { greenCertificatesAbi } from "../../protocol/generated/abis.ts";
import { SECONDS_PER_HOUR, WH_PER_KWH } from "../../protocol/units.ts";
import type { DemoChain } from "./chain.ts";
import { type DealPlan, type DealStep, DISPUTE_REASONS, dealPlan, nextStep } from "./deal-plan.ts";
import { generatedWh } from "./generation.ts";
import type { DemoMetering } from "./metering.ts";
import { mix, type Random, random } from "./random.ts";
import {
  type Actor,
  ARBITER,
  BUYERS,
  COMPUTE_RESERVE_JITTER,
  COMPUTE_SUPPLIERS,
  type Device,
  ENERGY_SUPPLIERS,
  NETWORK_SUPPLIERS,
  type Pace,
  REGISTRAR,
  restingBidCeiling,
  tokens,
} from "./scenario.ts";

/** Share of each new certificate batch its owner puts on the book (the rest is sold elsewhere or held). */
const OFFERED_SHARE = 0.02;
export const DEVICE_URI = (name: string) => `ccex-demo://devices/${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;

/** How likely each participant is to post in one trading round. */
/** Chances per round: a site offers, a link offers, a buyer bids, a buyer leaves a resting bid below the offers. */
export type Activity = { site: number; link: number; bid: number; restingBid: number };
export const SEED_ACTIVITY: Activity = { site: 0.3, link: 0.3, bid: 0.75, restingBid: 0.1 };
export const LIVE_ACTIVITY: Activity = { site: 0.15, link: 0.1, bid: 0.35, restingBid: 0.12 };

/** A resting bid's window starts this long after the round's, so it stays in the book meanwhile. */
const RESTING_SECONDS = 10 * 60;

export type DemoMarketParameters = {
  chain: DemoChain;
  deployment: Deployment;
  seed: number;
  logger: Logger;
  /** The compute sites' metering agents: a deal's report carries what its series metered. */
  metering: DemoMetering;
};

export class DemoMarket {
  readonly chain: DemoChain;
  readonly ledger: DealLedger;
  readonly book: ChainBookSource;
  readonly seed: number;
  readonly logger: Logger;
  readonly metering: DemoMetering;
  /** While false, the demo menu's accounts are left alone: they belong to the person at the browser. */
  menuActs = true;
  /** While true, the parties also take the keeper's permissionless actions (the keeper is not running yet). */
  actAsKeeper = true;
  #timing: { challengePeriod: number; arbitrationPeriod: number } | undefined;
  #devices: Map<string, bigint> | undefined;
  /** Deal steps that failed three times: not tried again, so that one odd deal never stalls the market. */
  readonly #failed = new Set<string>();
  readonly #failures = new Map<string, number>();
  #draws = 0;

  constructor(p: DemoMarketParameters) {
    this.chain = p.chain;
    this.seed = p.seed;
    this.logger = p.logger;
    this.metering = p.metering;
    const startBlock = BigInt(p.deployment.startBlock);
    this.ledger = new DealLedger({ client: p.chain.publicClient, market: p.chain.addresses.market, startBlock });
    this.book = new ChainBookSource({ client: p.chain.publicClient, market: p.chain.addresses.market, startBlock });
  }

  /**
   * The next PRNG of the run's sequence: draws are numbered, not keyed by time, so the same seed
   * makes the same choices whatever day the chain started on.
   */
  draw(purpose: number): Random {
    return random(mix(this.seed, ++this.#draws, purpose));
  }

  /** The account an actor sends from, or undefined when it must not act now. */
  accountOf(actor: Actor): DevAccount | undefined {
    if ("account" in actor) return simulatorAccount(actor.account);
    return this.menuActs ? devAccount(ACCOUNT_PLAN[actor.menu]) : undefined;
  }

  /** Every account the scenario may send from right now, by address. */
  #byAddress(): Map<string, DevAccount> {
    const actors = [...COMPUTE_SUPPLIERS, ...ENERGY_SUPPLIERS, ...NETWORK_SUPPLIERS, ...BUYERS].map((p) => p.actor);
    const accounts = actors.map((a) => this.accountOf(a)).filter((a): a is DevAccount => a !== undefined);
    return new Map(accounts.map((a) => [a.address.toLowerCase(), a]));
  }

  async timing(): Promise<{ challengePeriod: number; arbitrationPeriod: number }> {
    this.#timing ??= {
      challengePeriod: Number(await this.chain.read("market", "challengePeriod")),
      arbitrationPeriod: Number(await this.chain.read("market", "arbitrationPeriod")),
    };
    return this.#timing;
  }

  // ─── Orders ────────────────────────────────────────────────────────────────────────────────────

  /** Suppliers post offers and buyers post bids for windows starting `pace.lead` from now. Returns how many. */
  async tradingRound(now: number, pace: Pace, activity: Activity): Promise<number> {
    const r = this.draw(0x0dde);
    const windowStart = now + pace.lead;
    const offerEnd = windowStart + pace.offerSpan;
    // Offers stay matchable for bids posted in later rounds, as long as the shortest bid still fits.
    const offerExpiry = offerEnd - pace.bidSpan[0];
    let posted = 0;
    const post = async (what: string, send: () => Promise<unknown>) => {
      try {
        await send();
        posted++;
      } catch (err) {
        this.logger.warn({ what, err: (err as Error).message.split("\n")[0] }, "order not posted");
      }
    };
    for (const supplier of COMPUTE_SUPPLIERS) {
      const from = this.accountOf(supplier.actor);
      if (from === undefined) continue;
      for (const site of supplier.sites) {
        if (!r.chance(activity.site)) continue;
        const vcuHours = Math.max(
          1,
          Math.round((site.vcuPerHour * pace.offerSpan * r.between(0.6, 1)) / SECONDS_PER_HOUR),
        );
        await post("compute offer", () =>
          this.chain.write(from, "market", "postComputeOffer", [
            {
              hardwareClass: site.hardwareClass,
              region: supplier.region,
              windowStart,
              windowEnd: offerEnd,
              vcuHours,
              reservePricePerVcuHour: jitter(site.reservePerVcuHour, r, ...COMPUTE_RESERVE_JITTER),
              whPerVcuHour: site.whPerVcuHour,
              pueMilli: site.pueMilli,
              expiry: offerExpiry,
            },
          ]),
        );
      }
    }
    for (const supplier of NETWORK_SUPPLIERS) {
      const from = this.accountOf(supplier.actor);
      if (from === undefined) continue;
      for (const link of supplier.links) {
        if (!r.chance(activity.link)) continue;
        await post("bandwidth offer", () =>
          this.chain.write(from, "market", "postBandwidthOffer", [
            {
              fromRegion: link.fromRegion,
              toRegion: link.toRegion,
              mbps: link.mbps,
              latencyMs: link.latencyMs,
              windowStart,
              windowEnd: offerEnd,
              reservePricePerMbpsHour: jitter(link.reservePerMbpsHour, r, 0.95, 1.1),
              expiry: offerExpiry,
            },
          ]),
        );
      }
    }
    for (const buyer of BUYERS) {
      const from = this.accountOf(buyer.actor);
      if (from === undefined || !r.chance(activity.bid)) continue;
      const { job } = buyer;
      const span = Math.round(r.between(...pace.bidSpan) / 60) * 60;
      const vcuHours = Math.max(1, Math.round((r.between(...job.vcuPerHour) * span) / SECONDS_PER_HOUR));
      await post("bid", () =>
        this.chain.write(from, "market", "postBid", [
          {
            hardwareClass: job.hardwareClass,
            acceptableRegions: job.acceptableRegions.reduce((mask, code) => mask | (1 << code), 0),
            buyerRegion: job.buyerRegion,
            windowStart,
            windowEnd: windowStart + span,
            vcuHours,
            limitPricePerVcuHour: jitter(job.limitPerVcuHour, r, 0.97, 1.05),
            minGreenBps: job.minGreenBps,
            bandwidthMbps: job.bandwidthMbps,
            maxLatencyMs: job.maxLatencyMs,
            // A bid is for a job that starts at windowStart: unmatched by then, it is of no use.
            expiry: windowStart,
          },
        ]),
      );
      if (!r.chance(activity.restingBid)) continue;
      // A price-sensitive buyer also bids under every offer of its class (scenario.ts
      // restingBidCeiling): it cannot clear, so the book shows a bid side between batches until the
      // bid expires and housekeeping cancels it, returning the escrow.
      const restStart = windowStart + RESTING_SECONDS;
      await post("resting bid", () =>
        this.chain.write(from, "market", "postBid", [
          {
            hardwareClass: job.hardwareClass,
            acceptableRegions: job.acceptableRegions.reduce((mask, code) => mask | (1 << code), 0),
            buyerRegion: job.buyerRegion,
            windowStart: restStart,
            windowEnd: restStart + span,
            vcuHours,
            limitPricePerVcuHour: jitter(restingBidCeiling(job.hardwareClass), r, 0.8, 1),
            minGreenBps: job.minGreenBps,
            bandwidthMbps: job.bandwidthMbps,
            maxLatencyMs: job.maxLatencyMs,
            expiry: restStart,
          },
        ]),
      );
    }
    return posted;
  }

  // ─── Certificates ──────────────────────────────────────────────────────────────────────────────

  /** On-chain ids of the scenario's devices, found by owner and metadata URI. */
  async deviceIds(): Promise<Map<string, bigint>> {
    if (this.#devices !== undefined) return this.#devices;
    const found = new Map<string, bigint>();
    const count = Number(await this.chain.read("certificates", "deviceCount"));
    for (let id = 1; id <= count; id++) {
      const device = await this.chain.read("certificates", "deviceOf", [BigInt(id)]);
      if (device.metadataURI.startsWith("ccex-demo://")) found.set(device.metadataURI, BigInt(id));
    }
    // Complete once every scenario device is there; until then read again next time.
    const all = ENERGY_SUPPLIERS.flatMap((s) => s.devices);
    if (all.every((d) => found.has(DEVICE_URI(d.name)))) this.#devices = found;
    return found;
  }

  /** Registers the scenario's devices (commissioned years ago) and has the simulator's registrar approve them. */
  async registerDevices(now: number): Promise<number> {
    const existing = await this.deviceIds();
    const registrar = simulatorAccount(REGISTRAR.account);
    let registered = 0;
    for (const supplier of ENERGY_SUPPLIERS) {
      const owner = this.accountOf(supplier.actor);
      if (owner === undefined) continue;
      for (const [i, device] of supplier.devices.entries()) {
        if (existing.has(DEVICE_URI(device.name))) continue;
        const commissionedAt = now - (400 + 200 * i) * 24 * SECONDS_PER_HOUR;
        const receipt = await this.chain.write(owner, "certificates", "registerDevice", [
          device.source,
          device.region,
          device.capacityW,
          commissionedAt,
          DEVICE_URI(device.name),
        ]);
        const [{ args }] = parseEventLogs({
          abi: greenCertificatesAbi,
          logs: receipt.logs,
          eventName: "DeviceRegistered",
        });
        const deviceId = args.deviceId;
        await this.chain.write(registrar, "certificates", "approveDevice", [deviceId]);
        registered++;
      }
    }
    this.#devices = undefined;
    return registered;
  }

  /**
   * Each device certifies the generation metered since its last batch, in whole periods of
   * `pace.batchPeriod` that have ended, and puts a slice of it on the book. Returns the batches issued.
   * `firstPeriodStart` is where a device that never issued starts.
   */
  async issueCertificates(now: number, pace: Pace, firstPeriodStart: number): Promise<number> {
    const ids = await this.deviceIds();
    let issued = 0;
    for (const supplier of ENERGY_SUPPLIERS) {
      const owner = this.accountOf(supplier.actor);
      if (owner === undefined) continue;
      for (const device of supplier.devices) {
        const deviceId = ids.get(DEVICE_URI(device.name));
        if (deviceId === undefined) continue;
        const onChain = await this.chain.read("certificates", "deviceOf", [deviceId]);
        // Batches follow on from the last one; a device's first starts no earlier than `firstPeriodStart`.
        const from = Math.max(
          Number(onChain.issuedUntil),
          Number(onChain.commissionedAt),
          onChain.issuedUntil === 0 ? firstPeriodStart : 0,
        );
        const periods = Math.floor((now - from) / pace.batchPeriod);
        if (periods < 1) continue;
        const to = from + periods * pace.batchPeriod;
        const wh = generatedWh(this.seed, deviceId, device.source, device.capacityW, from, to);
        // A solar plant's night has nothing to certify; its next batch covers the night and the morning.
        if (wh === 0n) continue;
        try {
          const receipt = await this.chain.write(owner, "certificates", "issue", [deviceId, from, to, wh]);
          const [{ args }] = parseEventLogs({
            abi: greenCertificatesAbi,
            logs: receipt.logs,
            eventName: "CertificatesIssued",
          });
          const batchId = args.batchId;
          issued++;
          await this.#offerCertificates(owner, device, batchId, wh, now, pace);
        } catch (err) {
          this.logger.warn(
            { device: device.name, err: (err as Error).message.split("\n")[0] },
            "certificates not issued",
          );
        }
      }
    }
    return issued;
  }

  async #offerCertificates(
    owner: DevAccount,
    device: Device,
    batchId: bigint,
    wh: bigint,
    now: number,
    pace: Pace,
  ): Promise<void> {
    const offered = BigInt(Math.floor(Number(wh) * OFFERED_SHARE));
    if (offered < WH_PER_KWH) return;
    const r = random(mix(this.seed, batchId, 0xe0));
    await this.chain.write(owner, "market", "postEnergyOffer", [
      {
        batchId,
        wh: offered,
        reservePricePerKwh: jitter(device.reservePerKwh, r, 0.95, 1.1),
        expiry: now + pace.energyOfferLife,
      },
    ]);
  }

  // ─── Deals ─────────────────────────────────────────────────────────────────────────────────────

  /** When the next deal step the simulator can take falls due (after a sync), or undefined. */
  async nextDealTime(): Promise<number | undefined> {
    await this.ledger.sync();
    const accounts = this.#byAddress();
    const timing = { ...(await this.timing()), actAsKeeper: this.actAsKeeper };
    let next: number | undefined;
    for (const deal of this.ledger.open()) {
      const due = nextStep(deal, dealPlan(this.seed, deal.dealId), timing);
      if (due === undefined || this.#failed.has(`${deal.dealId}:${due.step.kind}`)) continue;
      if (this.#actorOf(deal, due.step, accounts) === undefined) continue;
      if (next === undefined || due.at < next) next = due.at;
    }
    return next;
  }

  /** Takes every deal step due by `now`. Returns how many were taken. */
  async dealSteps(now: number): Promise<number> {
    await this.ledger.sync();
    const accounts = this.#byAddress();
    const timing = { ...(await this.timing()), actAsKeeper: this.actAsKeeper };
    let taken = 0;
    for (const deal of this.ledger.open()) {
      const plan = dealPlan(this.seed, deal.dealId);
      const due = nextStep(deal, plan, timing);
      if (due === undefined || due.at > now) continue;
      const key = `${deal.dealId}:${due.step.kind}`;
      const from = this.#actorOf(deal, due.step, accounts);
      if (from === undefined || this.#failed.has(key)) continue;
      try {
        await this.#take(deal, plan, due.step, from);
        taken++;
      } catch (err) {
        // A step may fail for a moment (the chain's clock a little behind the plan); a third time, it is given up.
        const failures = (this.#failures.get(key) ?? 0) + 1;
        this.#failures.set(key, failures);
        if (failures >= 3) this.#failed.add(key);
        this.logger.warn(
          { dealId: deal.dealId, step: due.step.kind, err: (err as Error).message.split("\n")[0] },
          "deal step not taken",
        );
      }
    }
    return taken;
  }

  #actorOf(deal: OpenDeal, step: DealStep, accounts: Map<string, DevAccount>): DevAccount | undefined {
    if (step.by === "arbiter") return simulatorAccount(ARBITER.account);
    const address = step.by === "buyer" ? deal.terms.buyer : deal.terms.computeSupplier;
    return accounts.get(address.toLowerCase());
  }

  async #take(deal: OpenDeal, plan: DealPlan, step: DealStep, from: DevAccount): Promise<void> {
    const { dealId, terms } = deal;
    switch (step.kind) {
      case "report":
        await this.chain.write(from, "market", "reportUsage", [
          dealId,
          terms,
          await this.metering.meter(deal, plan, from),
        ]);
        return;
      case "cancelNoShow":
        await this.chain.write(from, "market", "cancelNoShow", [dealId, terms]);
        return;
    }
    if (deal.status === "Active") throw new Error(`deal ${dealId} has no report to act on`);
    const { report } = deal;
    switch (step.kind) {
      case "confirm":
        await this.chain.write(from, "market", "confirmUsage", [dealId, terms, report]);
        return;
      case "dispute":
        await this.chain.write(from, "market", "disputeUsage", [
          dealId,
          terms,
          report,
          DISPUTE_REASONS[Number(dealId % BigInt(DISPUTE_REASONS.length))],
        ]);
        return;
      case "resolve":
        await this.chain.write(from, "market", "resolveDispute", [dealId, terms, report, plan.refundBps]);
        return;
      case "finalize":
        await this.chain.write(from, "market", "finalize", [dealId, terms, report]);
        return;
      case "finalizeLapsedDispute":
        await this.chain.write(from, "market", "finalizeLapsedDispute", [dealId, terms, report]);
        return;
    }
  }

  // ─── Housekeeping ──────────────────────────────────────────────────────────────────────────────

  /**
   * Participants tidy up: cancel their bids and energy offers that expired unfilled (the escrow and
   * the Wh come back; an expired compute or bandwidth offer holds nothing, so it is left to lapse),
   * withdraw what the market owes them, and buyers retire part of their carbon credits. `maxActions` keeps the live pace calm. Returns how many transactions were sent.
   */
  async housekeeping(now: number, maxActions: number): Promise<number> {
    const r = this.draw(0x4005e);
    const accounts = this.#byAddress();
    const mine = (address: Address) => accounts.get(address.toLowerCase());
    const book = await this.book.openBook();
    const stale: { from: DevAccount; send: (from: DevAccount) => Promise<unknown> }[] = [];
    for (const bid of book.bids) {
      const from = mine(bid.buyer);
      if (from !== undefined && bid.expiry <= now)
        stale.push({ from, send: (f) => this.chain.write(f, "market", "cancelBid", [bid.id]) });
    }
    for (const offer of book.energyOffers) {
      const from = mine(offer.supplier);
      if (from !== undefined && offer.expiry <= now)
        stale.push({ from, send: (f) => this.chain.write(f, "market", "cancelEnergyOffer", [offer.id]) });
    }
    let sent = 0;
    const attempt = async (what: string, send: () => Promise<unknown>) => {
      if (sent >= maxActions) return;
      try {
        await send();
        sent++;
      } catch (err) {
        this.logger.warn({ what, err: (err as Error).message.split("\n")[0] }, "housekeeping step not taken");
      }
    };
    for (const order of stale) await attempt("cancel stale order", () => order.send(order.from));

    for (const from of accounts.values()) {
      if (!r.chance(0.5)) continue;
      const owed: bigint = await this.chain.read("market", "withdrawableOf", [from.address]);
      if (owed >= tokens(50)) await attempt("withdraw", () => this.chain.write(from, "market", "withdraw", []));
    }
    for (const buyer of BUYERS) {
      const from = this.accountOf(buyer.actor);
      if (from === undefined || !r.chance(0.6)) continue;
      const credits: bigint = await this.chain.read("credits", "balanceOf", [from.address]);
      // At least a kilogram, as a sustainability report would count it.
      const amount = ((credits * BigInt(r.int(40, 80))) / 100n / 1_000n) * 1_000n;
      if (amount === 0n) continue;
      const reason = `${buyer.name}: offset of compute emissions, ${new Date(now * 1000).toISOString().slice(0, 10)}`;
      await attempt("retire credits", () =>
        this.chain.write(from, "credits", "retire", [amount, from.address, reason]),
      );
    }
    return sent;
  }
}

/** `price` scaled by a factor drawn from [low, high], never zero. */
function jitter(price: bigint, r: Random, low: number, high: number): bigint {
  const scaled = BigInt(Math.round(Number(price) * r.between(low, high)));
  return scaled > 0n ? scaled : 1n;
}
