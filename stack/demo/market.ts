// The demo market's participants at work: suppliers post offers, buyers post bids, energy suppliers
// certify metered generation and offer it, deals are reported, confirmed, disputed and ruled on, and
// now and then orders gone stale are cancelled, balances withdrawn and credits retired. Used by the
// seed (chain time moved forward through days of history) and by the live simulator (wall-clock
// pace); every choice comes from the seeded PRNG.

import type { Logger } from "pino";
import type { Address, TransactionReceipt } from "viem";
import { ChainBookSource } from "../../backend/book/chain-book-source.ts";
import { DealLedger, type OpenDeal } from "../../backend/keeper/deal-ledger.ts";
import { type DueReport, sendUsageReports } from "../../backend/metering/send-usage-reports.ts";
import { ACCOUNT_PLAN, type DevAccount, devAccount, simulatorAccount } from "../../protocol/accounts.ts";
import type { OrderBook } from "../../protocol/book.ts";
import type { Deployment } from "../../protocol/deployment.ts";
import { ceilHour, floorHour, hoursOf, MAX_OFFER_HOURS } from "../../protocol/hours.ts";
import { SECONDS_PER_HOUR } from "../../protocol/units.ts";
import type { DemoChain } from "./chain.ts";
import { type DealPlan, type DealStep, DISPUTE_REASONS, dealPlan, nextStep } from "./deal-plan.ts";
import { forecastWh, generatedWhPerHour } from "./generation.ts";
import type { DemoMetering } from "./metering.ts";
import { mix, type Random, random } from "./random.ts";
import {
  type Actor,
  ARBITER,
  BUYERS,
  COMPUTE_RESERVE_JITTER,
  COMPUTE_SUPPLIERS,
  type ComputeSite,
  type ComputeSupplier,
  ENERGY_SUPPLIERS,
  type Link,
  NETWORK_SUPPLIERS,
  OFFERED_SHARE,
  type Pace,
  REGISTRAR,
  restingBidCeiling,
  tokens,
} from "./scenario.ts";

export const DEVICE_URI = (name: string) => `ccex-demo://devices/${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;

type MarketCall = Parameters<DemoChain["writeMarketCalls"]>[1][number];

/** Chances per round: a buyer bids, and also leaves a resting bid below the offers. */
export type Activity = { bid: number; restingBid: number };
export const SEED_ACTIVITY: Activity = { bid: 0.8, restingBid: 0.1 };
export const LIVE_ACTIVITY: Activity = { bid: 0.15, restingBid: 0.1 };

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

  /**
   * Suppliers keep their capacity posted `pace.supplyAheadHours` ahead, in blocks of
   * `pace.supplyBlockHours` aligned on UTC: each compute site its VCU per hour, each link its Mbps,
   * each device a share of its day-ahead forecast per hour (a block of only dark hours is not offered).
   * One transaction per supplier (the market's multicall). Returns how many offers were posted.
   */
  async supply(now: number, pace: Pace): Promise<number> {
    const book = await this.book.openBook();
    const r = this.draw(0x5c9);
    const until = floorHour(now) + pace.supplyAheadHours * SECONDS_PER_HOUR;
    const blocks = (from: number) => {
      const out: [number, number][] = [];
      const size = pace.supplyBlockHours * SECONDS_PER_HOUR;
      for (let start = from; start < until; ) {
        const end = Math.floor(start / size) * size + size;
        out.push([start, end]);
        start = end;
      }
      return out;
    };
    let posted = 0;
    const send = async (what: string, from: DevAccount, calls: MarketCall[]) => {
      const sent = await this.chain.submitMarketCalls(from, calls, (err) =>
        this.logger.warn({ what, err: reason(err) }, "offers not posted"),
      );
      if (sent) posted += calls.length;
    };
    const firstHour = ceilHour(now + 60);
    for (const supplier of COMPUTE_SUPPLIERS) {
      const from = this.accountOf(supplier.actor);
      // The menu's suppliers leave their own starting offers (seed.ts); the rest is the visitor's to post.
      if (from === undefined || "menu" in supplier.actor) continue;
      const supplied = suppliedUntil(book.computeOffers, from.address, firstHour);
      const calls: MarketCall[] = [];
      for (const [windowStart, windowEnd] of blocks(supplied))
        for (const site of supplier.sites)
          calls.push({
            functionName: "postComputeOffer",
            args: [
              computeOffer(
                supplier,
                site,
                windowStart,
                windowEnd,
                jitter(site.reservePerVcuHour, r, ...COMPUTE_RESERVE_JITTER),
                windowEnd,
              ),
            ],
          });
      await send("compute offers", from, calls);
    }
    for (const supplier of NETWORK_SUPPLIERS) {
      const from = this.accountOf(supplier.actor);
      // The menu's suppliers leave their own starting offers (seed.ts); the rest is the visitor's to post.
      if (from === undefined || "menu" in supplier.actor) continue;
      const supplied = suppliedUntil(book.bandwidthOffers, from.address, firstHour);
      const calls: MarketCall[] = [];
      for (const [windowStart, windowEnd] of blocks(supplied))
        for (const link of supplier.links)
          calls.push({
            functionName: "postBandwidthOffer",
            args: [
              bandwidthOffer(link, windowStart, windowEnd, jitter(link.reservePerMbpsHour, r, 0.95, 1.1), windowEnd),
            ],
          });
      await send("bandwidth offers", from, calls);
    }
    const ids = await this.deviceIds();
    for (const supplier of ENERGY_SUPPLIERS) {
      const from = this.accountOf(supplier.actor);
      // The menu's suppliers leave their own starting offers (seed.ts); the rest is the visitor's to post.
      if (from === undefined || "menu" in supplier.actor) continue;
      const calls: MarketCall[] = [];
      for (const device of supplier.devices) {
        const deviceId = ids.get(DEVICE_URI(device.name));
        if (deviceId === undefined) continue;
        const supplied = energySuppliedUntil(book, deviceId, firstHour);
        for (const [start, end] of blocks(supplied)) {
          const whPerHour = hoursOf(start, end).map((h) => {
            const forecast = forecastWh(this.seed, deviceId, device.source, device.capacityW, h);
            return BigInt(Math.floor(Number(forecast) * OFFERED_SHARE));
          });
          if (whPerHour.every((wh) => wh === 0n)) continue;
          calls.push({
            functionName: "postEnergyOffer",
            args: [
              {
                deviceId: Number(deviceId),
                firstHour: start,
                whPerHour,
                reservePricePerKwh: jitter(device.reservePerKwh, r, 0.95, 1.1),
                expiry: end,
              },
            ],
          });
        }
      }
      await send("energy offers", from, calls);
    }
    return posted;
  }

  /**
   * Buyers post jobs from the first whole hour `pace.lead` from now: fixed jobs for exactly their
   * hours, flexible ones anywhere in the next `flexHours`. A price-sensitive buyer now and then also
   * leaves a resting bid under every offer of its class. Returns how many bids were posted.
   */
  async bids(now: number, pace: Pace, activity: Activity): Promise<number> {
    const r = this.draw(0x0dde);
    const earliestStart = ceilHour(now + pace.lead);
    let posted = 0;
    for (const buyer of BUYERS) {
      const from = this.accountOf(buyer.actor);
      if (from === undefined || !r.chance(activity.bid)) continue;
      const { job } = buyer;
      const durationHours = r.int(...job.durationHours);
      const latestEnd = earliestStart + (durationHours + job.flexHours) * SECONDS_PER_HOUR;
      const params = (limitPricePerVcuHour: bigint) => ({
        hardwareClass: job.hardwareClass,
        acceptableRegions: job.acceptableRegions.reduce((mask, code) => mask | (1 << code), 0),
        buyerRegion: job.buyerRegion,
        earliestStart,
        latestEnd,
        durationHours,
        vcu: r.int(...job.vcu),
        limitPricePerVcuHour,
        minGreenBps: job.minGreenBps,
        certificateOrigin: job.certificateOrigin,
        bandwidthMbps: job.bandwidthMbps,
        maxLatencyMs: job.maxLatencyMs,
        // Unmatched by its latest start, a bid is of no use.
        expiry: latestEnd - durationHours * SECONDS_PER_HOUR,
      });
      const calls: MarketCall[] = [
        { functionName: "postBid", args: [params(jitter(job.limitPerVcuHour, r, 0.97, 1.05))] },
      ];
      // A price-sensitive buyer also bids under every offer of its class (scenario.ts
      // restingBidCeiling): it cannot clear, so the book shows a bid side between batches until the
      // bid expires and housekeeping cancels it, returning the escrow.
      if (r.chance(activity.restingBid))
        calls.push({
          functionName: "postBid",
          args: [params(jitter(restingBidCeiling(job.hardwareClass), r, 0.8, 1))],
        });
      const sent = await this.chain.submitMarketCalls(from, calls, (err) =>
        this.logger.warn({ buyer: buyer.name, err: reason(err) }, "bid not posted"),
      );
      if (sent) posted += calls.length;
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

  /**
   * Registers the scenario's devices (commissioned years ago) and has the simulator's registrar approve
   * them: the registrations first (mined together while the chain pools), then the approvals of the
   * new devices. A call that fails goes to `failed`. Returns how many devices were registered.
   */
  async registerDevices(now: number, failed: (err: Error) => void): Promise<number> {
    const existing = await this.deviceIds();
    const registrar = simulatorAccount(REGISTRAR.account);
    let registered = 0;
    for (const supplier of ENERGY_SUPPLIERS) {
      const owner = this.accountOf(supplier.actor);
      if (owner === undefined) continue;
      for (const [i, device] of supplier.devices.entries()) {
        if (existing.has(DEVICE_URI(device.name))) continue;
        const commissionedAt = now - (400 + 200 * i) * 24 * SECONDS_PER_HOUR;
        const args = [device.source, device.region, device.capacityW, commissionedAt, DEVICE_URI(device.name)] as const;
        if (await this.chain.submit(owner, "certificates", "registerDevice", args, failed)) registered++;
      }
    }
    if (registered === 0) return 0;
    await this.chain.mine();
    this.#devices = undefined;
    for (const [uri, deviceId] of await this.deviceIds())
      if (!existing.has(uri)) await this.chain.submit(registrar, "certificates", "approveDevice", [deviceId], failed);
    await this.chain.mine();
    return registered;
  }

  /**
   * Devices certify their metered generation of every hour that has ended since their last issue, one
   * issue per device (up to MAX_OFFER_HOURS hours), from `firstHour` for a device that never issued.
   * `only` limits it to some devices (those whose certificates a deal is about to retire). Returns
   * the issues made.
   */
  async issueCertificates(now: number, firstHour: number, only?: ReadonlySet<bigint>): Promise<number> {
    const ids = await this.deviceIds();
    const end = floorHour(now);
    let issued = 0;
    for (const supplier of ENERGY_SUPPLIERS) {
      const owner = this.accountOf(supplier.actor);
      if (owner === undefined) continue;
      for (const device of supplier.devices) {
        const deviceId = ids.get(DEVICE_URI(device.name));
        if (deviceId === undefined || (only !== undefined && !only.has(deviceId))) continue;
        const onChain = await this.chain.read("certificates", "deviceOf", [deviceId]);
        const from = Math.max(Number(onChain.issuedUntil), ceilHour(Number(onChain.commissionedAt)), firstHour);
        const to = Math.min(end, from + MAX_OFFER_HOURS * SECONDS_PER_HOUR);
        if (to <= from) continue;
        const whPerHour = generatedWhPerHour(this.seed, deviceId, device.source, device.capacityW, from, to);
        // A solar plant's night has nothing to certify; its next issue covers the night and the morning.
        if (whPerHour.every((wh) => wh === 0n)) continue;
        const sent = await this.chain.submit(owner, "certificates", "issue", [deviceId, from, whPerHour], (err) =>
          this.logger.warn({ device: device.name, err: reason(err) }, "certificates not issued"),
        );
        if (sent) issued++;
      }
    }
    return issued;
  }

  // ─── Deals ─────────────────────────────────────────────────────────────────────────────────────

  /** When the next deal step the simulator can take falls due (after a sync), or undefined. */
  async nextDealTime(): Promise<number | undefined> {
    await this.ledger.sync();
    const accounts = this.#byAddress();
    const timing = { ...(await this.timing()), actAsKeeper: this.actAsKeeper };
    let next: number | undefined;
    for (const deal of this.ledger.open()) {
      const due = nextStep(deal, dealPlan(this.seed, deal.dealId, deal.terms.computeSupplier), {
        ...timing,
        flagged: flagged(deal),
      });
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
    // A compute site reports all its due deals together (one multicall), as the supplier's tools do.
    const reports = new Map<DevAccount, { deal: OpenDeal; plan: DealPlan }[]>();
    for (const deal of this.ledger.open()) {
      const plan = dealPlan(this.seed, deal.dealId, deal.terms.computeSupplier);
      const due = nextStep(deal, plan, { ...timing, flagged: flagged(deal) });
      if (due === undefined || due.at > now) continue;
      const from = this.#actorOf(deal, due.step, accounts);
      if (from === undefined || this.#failed.has(`${deal.dealId}:${due.step.kind}`)) continue;
      if (due.step.kind === "report") {
        reports.set(from, [...(reports.get(from) ?? []), { deal, plan }]);
        continue;
      }
      const failed = (err: unknown) => this.#stepFailed(deal.dealId, due.step.kind, reason(err));
      try {
        if (await this.#take(deal, plan, due.step, from, failed)) taken++;
      } catch (err) {
        failed(err);
      }
    }
    for (const [from, due] of reports) taken += await this.#report(from, due);
    return taken;
  }

  /** A step may fail for a moment (the chain's clock a little behind the plan); a third time, it is given up. */
  #stepFailed(dealId: bigint, step: DealStep["kind"], err: string): void {
    const key = `${dealId}:${step}`;
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    if (failures >= 3) this.#failed.add(key);
    this.logger.warn({ dealId, step, err }, "deal step not taken");
  }

  /**
   * A compute supplier reports its due deals: each deal's energy suppliers certify the job's hours
   * first (so that finalisation finds them to retire), the site meters each deal, and the reports go
   * out in one multicall per 20 deals; a report that would revert is left out and logged with the
   * market's error, without holding up the others (backend/metering/send-usage-reports.ts). Returns
   * how many deals were reported.
   */
  async #report(from: DevAccount, due: { deal: OpenDeal; plan: DealPlan }[]): Promise<number> {
    const devices = new Set(due.flatMap(({ deal }) => deal.terms.energyLots.map((lot) => lot.deviceId)));
    if (devices.size > 0) {
      const firstHour = Math.min(...due.map(({ deal }) => deal.terms.start));
      await this.issueCertificates(await this.chain.now(), firstHour, devices);
      // The reports are dry-run against the chain as it is: the certificates must be on it first.
      await this.chain.mine();
    }
    const reports: DueReport[] = [];
    for (const { deal, plan } of due) {
      try {
        reports.push({ dealId: deal.dealId, terms: deal.terms, report: await this.metering.meter(deal, plan, from) });
      } catch (err) {
        this.#stepFailed(deal.dealId, "report", reason(err));
      }
    }
    try {
      const { reported, refused } = await sendUsageReports({
        client: this.chain.publicClient,
        market: this.chain.addresses.market,
        supplier: from.address,
        reports,
        send: async (calls) => (await this.chain.writeMarketCalls(from, calls)) as TransactionReceipt,
      });
      for (const { dealId, reason } of refused) this.#stepFailed(dealId, "report", reason);
      return reported.length;
    } catch (err) {
      for (const { dealId } of reports) this.#stepFailed(dealId, "report", reason(err));
      return 0;
    }
  }

  #actorOf(deal: OpenDeal, step: DealStep, accounts: Map<string, DevAccount>): DevAccount | undefined {
    if (step.by === "arbiter") return simulatorAccount(ARBITER.account);
    const address = step.by === "buyer" ? deal.terms.buyer : deal.terms.computeSupplier;
    return accounts.get(address.toLowerCase());
  }

  /** Sends the step's transaction (see `DemoChain.submit`); resolves with whether it was sent. */
  async #take(
    deal: OpenDeal,
    plan: DealPlan,
    step: DealStep,
    from: DevAccount,
    failed: (err: Error) => void,
  ): Promise<boolean> {
    const { dealId, terms } = deal;
    // Reports are not taken one by one: #report sends a site's due reports together.
    if (step.kind === "cancelNoShow") return this.chain.submit(from, "market", "cancelNoShow", [dealId, terms], failed);
    if (deal.status === "Active") throw new Error(`deal ${dealId} has no report to act on`);
    const { report } = deal;
    switch (step.kind) {
      case "confirm":
        return this.chain.submit(from, "market", "confirmUsage", [dealId, terms, report], failed);
      case "dispute":
        return this.chain.submit(
          from,
          "market",
          "disputeUsage",
          [dealId, terms, report, DISPUTE_REASONS[Number(dealId % BigInt(DISPUTE_REASONS.length))]],
          failed,
        );
      case "resolve":
        return this.chain.submit(from, "market", "resolveDispute", [dealId, terms, report, plan.refundBps], failed);
      case "finalize":
        return this.chain.submit(from, "market", "finalize", [dealId, terms, report], failed);
      case "finalizeLapsedDispute":
        return this.chain.submit(from, "market", "finalizeLapsedDispute", [dealId, terms, report], failed);
      case "report":
        throw new Error(`deal ${dealId}: reports are sent together per site, not as a step alone`);
    }
  }

  // ─── Housekeeping ──────────────────────────────────────────────────────────────────────────────

  /**
   * Participants tidy up: cancel their bids and energy offers that expired unfilled (the escrow and
   * the device-hours' offered Wh come back; an expired compute or bandwidth offer holds nothing, so it
   * is left to lapse), each account in one transaction, withdraw what the market owes them, and
   * buyers retire part of their carbon credits. `maxActions` keeps the live pace calm. Returns how
   * many transactions were sent.
   */
  async housekeeping(now: number, maxActions: number): Promise<number> {
    const r = this.draw(0x4005e);
    const accounts = this.#byAddress();
    const mine = (address: Address) => accounts.get(address.toLowerCase());
    const book = await this.book.openBook();
    const stale = new Map<DevAccount, MarketCall[]>();
    const cancel = (owner: Address, call: MarketCall) => {
      const from = mine(owner);
      if (from !== undefined) stale.set(from, [...(stale.get(from) ?? []), call]);
    };
    for (const bid of book.bids)
      if (bid.expiry <= now) cancel(bid.buyer, { functionName: "cancelBid", args: [bid.id] });
    for (const offer of book.energyOffers) {
      const unsold = offer.whPerHour.some((wh, i) => wh > (offer.soldWhPerHour?.[i] ?? 0n));
      if (offer.expiry <= now && unsold)
        cancel(offer.supplier, { functionName: "cancelEnergyOffer", args: [offer.id] });
    }
    let sent = 0;
    const attempt = async (what: string, send: (failed: (err: Error) => void) => Promise<boolean>) => {
      if (sent >= maxActions) return;
      if (await send((err) => this.logger.warn({ what, err: reason(err) }, "housekeeping step not taken"))) sent++;
    };
    for (const [from, calls] of stale)
      await attempt("cancel stale orders", (failed) => this.chain.submitMarketCalls(from, calls, failed));

    for (const from of accounts.values()) {
      if (!r.chance(0.5)) continue;
      const owed: bigint = await this.chain.read("market", "withdrawableOf", [from.address]);
      if (owed >= tokens(50))
        await attempt("withdraw", (failed) => this.chain.submit(from, "market", "withdraw", [], failed));
    }
    for (const buyer of BUYERS) {
      const from = this.accountOf(buyer.actor);
      if (from === undefined || !r.chance(0.6)) continue;
      const credits: bigint = await this.chain.read("credits", "balanceOf", [from.address]);
      // At least a kilogram, as a sustainability report would count it.
      const amount = ((credits * BigInt(r.int(40, 80))) / 100n / 1_000n) * 1_000n;
      if (amount === 0n) continue;
      const reason = `${buyer.name}: offset of compute emissions, ${new Date(now * 1000).toISOString().slice(0, 10)}`;
      await attempt("retire credits", (failed) =>
        this.chain.submit(from, "credits", "retire", [amount, from.address, reason], failed),
      );
    }
    return sent;
  }
}

/** A compute site's offer of its VCU for a window (postComputeOffer's argument). */
export function computeOffer(
  supplier: ComputeSupplier,
  site: ComputeSite,
  windowStart: number,
  windowEnd: number,
  reservePricePerVcuHour: bigint,
  expiry: number,
) {
  return {
    hardwareClass: site.hardwareClass,
    region: supplier.region,
    windowStart,
    windowEnd,
    vcu: site.vcu,
    reservePricePerVcuHour,
    whPerVcuHour: site.whPerVcuHour,
    pueMilli: site.pueMilli,
    expiry,
  };
}

/** A link's offer of its Mbps for a window (postBandwidthOffer's argument). */
export function bandwidthOffer(
  link: Link,
  windowStart: number,
  windowEnd: number,
  reservePricePerMbpsHour: bigint,
  expiry: number,
) {
  return {
    fromRegion: link.fromRegion,
    toRegion: link.toRegion,
    mbps: link.mbps,
    latencyMs: link.latencyMs,
    windowStart,
    windowEnd,
    reservePricePerMbpsHour,
    expiry,
  };
}

/** End of the latest window `supplier` posted in `offers` (offers stay in the book until cancelled), or `fallback`. */
function suppliedUntil(
  offers: OrderBook["computeOffers"] | OrderBook["bandwidthOffers"],
  supplier: Address,
  fallback: number,
): number {
  let until = fallback;
  for (const o of offers)
    if (o.supplier.toLowerCase() === supplier.toLowerCase() && o.windowEnd > until) until = o.windowEnd;
  return until;
}

/** End of the latest hour offered for `deviceId`, or `fallback`. */
function energySuppliedUntil(book: OrderBook, deviceId: bigint, fallback: number): number {
  let until = fallback;
  for (const o of book.energyOffers) {
    const end = o.firstHour + o.whPerHour.length * SECONDS_PER_HOUR;
    if (o.deviceId === deviceId && end > until) until = end;
  }
  return until;
}

/** The first line of an error, and the contract's custom error where viem found one. */
function reason(err: unknown): string {
  const message = (err as Error).message;
  const custom = message.split("\n").find((line) => /^Error: \w+\(/.test(line.trim()));
  return custom === undefined ? message.split("\n")[0] : `${message.split("\n")[0]} ${custom.trim()}`;
}

/** `price` scaled by a factor drawn from [low, high], never zero. */
function jitter(price: bigint, r: Random, low: number, high: number): bigint {
  const scaled = BigInt(Math.round(Number(price) * r.between(low, high)));
  return scaled > 0n ? scaled : 1n;
}

/** Whether a reported deal's report was flagged (the ledger folds in UsageFlagged). */
function flagged(deal: OpenDeal): boolean {
  return deal.status === "Reported" && deal.flag !== undefined;
}
