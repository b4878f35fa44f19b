// Real trades on a local node, then what GraphQL says about them: order book levels after posts,
// partial fills and cancels; a deal's lifecycle, payments and provenance chain; statistics equal to
// sums computed here from the transactions' own events. Orders are in whole hours: books count
// VCU-hours (vcu × hours), energy offers the Wh of their hours, links their Mbps per hour.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { certificateId } from "../../protocol/hours.ts";
import { type Deployment, deploy, Exchange, type Node, startNode } from "./helpers/chain.ts";
import { type Running, runIndexer, tempDir } from "./helpers/indexer.ts";
import {
  type Book,
  bid,
  bundle,
  computeOffer,
  deliver,
  energyOffer,
  fullReport,
  HOUR,
  openBook,
  parties,
  Region,
  regions,
  settle,
  USD,
  window,
} from "./helpers/market.ts";

const lower = (a: string) => a.toLowerCase();

describe("indexer against real trades", () => {
  let node: Node;
  let deployment: Deployment;
  let x: Exchange;
  let ix: Running;
  let book: Book;
  let deployDir: string;

  before(async () => {
    node = await startNode();
    deployDir = tempDir("deploy");
    deployment = await deploy(node, deployDir);
    x = await new Exchange(node.url, deployment).init();
    ix = await runIndexer(node, deployment);
    book = await openBook(x);
    await ix.synced();
  });

  after(async () => {
    await ix?.stop();
    await node?.stop();
    rmSync(deployDir, { recursive: true, force: true });
  });

  it("shows posted orders as price levels with best bid, best ask and spread", async () => {
    const p = parties(x);
    // A second compute offer at the same price and one above it; a second, lower bid. Offers sell
    // their VCU in each of six hours; bids ask for theirs in four.
    await x.send("Market", "postComputeOffer", [computeOffer(book.t0, { vcu: 400n })], p.compute);
    await x.send(
      "Market",
      "postComputeOffer",
      [computeOffer(book.t0, { vcu: 300n, reservePricePerVcuHour: 1_800_000n })],
      p.compute,
    );
    await x.send("Market", "postBid", [bid(book.t0, { vcu: 10n, limitPricePerVcuHour: 2_000_000n })], p.otherBuyer);
    await ix.synced();
    const { orderBook } = await ix.gql(`{
      orderBook(resource: COMPUTE, filter: { hardwareClass: "gpu-inference", region: 7 }) {
        bids { price quantity orders } asks { price quantity orders } bestBid bestAsk spread final
      }
    }`);
    assert.deepEqual(orderBook.asks, [
      { price: "1500000", quantity: "3000", orders: 2 },
      { price: "1800000", quantity: "1800", orders: 1 },
    ]);
    assert.deepEqual(orderBook.bids, [
      { price: "2500000", quantity: "100", orders: 1 },
      { price: "2000000", quantity: "40", orders: 1 },
    ]);
    assert.equal(orderBook.bestBid, "2500000");
    assert.equal(orderBook.bestAsk, "1500000");
    assert.equal(orderBook.spread, "-1000000");
    assert.equal(orderBook.final, true);

    const energy = (await ix.gql(`{ orderBook(resource: ENERGY) { asks { price quantity orders } bids { price } } }`))
      .orderBook;
    assert.deepEqual(energy.asks, [
      { price: "40000", quantity: "800000", orders: 1 },
      { price: "50000", quantity: "800000", orders: 1 },
    ]);
    assert.deepEqual(energy.bids, []);
    const wind = (await ix.gql(`{ orderBook(resource: ENERGY, filter: { source: "wind" }) { asks { price } } }`))
      .orderBook;
    assert.deepEqual(wind.asks, [{ price: "40000" }]);
    const link = (
      await ix.gql(
        `{ orderBook(resource: BANDWIDTH, filter: { fromRegion: 2, toRegion: 7 }) { asks { price quantity } } }`,
      )
    ).orderBook;
    assert.deepEqual(link.asks, [{ price: "10000", quantity: "1000" }]);
  });

  it("follows a partial fill, a cancel and the full lifecycle of a deal", async () => {
    const p = parties(x);
    // 15 of the bid's 25 VCU (60 VCU-hours), 20 kWh of wind in each of the four hours.
    const hours = [0, 1, 2, 3].map((i) => book.start + i * HOUR);
    const { deals } = await settle(x, [
      bundle(book, {
        vcu: 15n,
        computePayment: 108n * USD,
        energyLots: hours.map((hour) => ({ offerId: book.windOfferId, hour, wh: 20_000n, payment: 1n * USD })),
      }),
    ]);
    assert.equal(deals.length, 1);
    const deal = deals[0];
    await ix.synced();
    let r = await ix.gql(
      `query($id: BigInt!) {
      order(kind: BID, id: $id) { remaining remainingVcu filled status escrow }
      compute: order(kind: COMPUTE_OFFER, id: "1") { remaining filled status }
      orderBook(resource: COMPUTE, filter: { hardwareClass: "gpu-inference" }) { bids { price quantity } }
    }`,
      { id: String(book.bidId) },
    );
    // 10 of the job's 25 VCU are left, for its four hours.
    assert.deepEqual(r.order, {
      remaining: "40",
      remainingVcu: 10,
      filled: "60",
      status: "OPEN",
      escrow: String(40n * 2_500_000n),
    });
    assert.deepEqual(r.compute, { remaining: "540", filled: "60", status: "OPEN" });
    assert.deepEqual(r.orderBook.bids[0], { price: "2500000", quantity: "40" });

    await x.send("Market", "cancelBid", [book.bidId], p.buyer);
    await ix.synced();
    r = await ix.gql(`query($id: BigInt!) { order(kind: BID, id: $id) { remaining filled cancelled status escrow } }`, {
      id: String(book.bidId),
    });
    assert.deepEqual(r.order, { remaining: "0", filled: "60", cancelled: "40", status: "CANCELLED", escrow: "0" });

    const { outcome } = await deliver(x, deal);
    await ix.synced();
    const d = (
      await ix.gql(
        `query($id: BigInt!) { deal(id: $id) {
        status vcuHours greenWh retiredWh returnedWh credits computePaid feePaid refund final
        payments { kind account amount }
        steps { action }
        energyLots { batchId wh paid retiredWh returnedWh }
        usageReport { vcuDelivered whConsumed }
      } }`,
        { id: String(deal.dealId) },
      )
    ).deal;
    assert.equal(d.status, "FINALIZED");
    assert.deepEqual(
      d.steps.map((s: { action: string }) => s.action),
      ["opened", "reported", "confirmed", "finalized"],
    );
    assert.equal(d.credits, String(outcome.credits));
    assert.equal(d.computePaid, String(outcome.computePaid));
    assert.equal(d.feePaid, String(outcome.fee));
    assert.equal(d.refund, String(outcome.refund));
    assert.equal(
      d.retiredWh,
      String(outcome.energyLots.reduce((s: bigint, l: { retiredWh: bigint }) => s + l.retiredWh, 0n)),
    );
    assert.deepEqual(
      d.payments.map((q: { kind: string; account: string; amount: string }) => [q.kind, q.account, q.amount]),
      [
        ["ESCROW", lower(p.buyer), String(deal.terms.escrow)],
        ["COMPUTE", lower(p.compute), String(outcome.computePaid)],
        ...outcome.energyLots.map((l: { paid: bigint }) => ["ENERGY", lower(p.wind), String(l.paid)]),
        ["BANDWIDTH", lower(p.network), String(outcome.bandwidthPaid)],
        ["FEE", lower(p.admin), String(outcome.fee)],
        ["REFUND", lower(p.buyer), String(outcome.refund)],
      ].filter(([, , amount]) => amount !== "0"),
    );
    // Money is conserved: everything paid out plus the refund is the escrow.
    const paidOut = d.payments
      .filter((q: { kind: string }) => q.kind !== "ESCROW")
      .reduce((s: bigint, q: { amount: string }) => s + BigInt(q.amount), 0n);
    assert.equal(paidOut, deal.terms.escrow);

    // The wind device issued the four hours after the job; what the deal did not retire stays with
    // the supplier, hour by hour, as on chain.
    const issueId = d.energyLots[0].batchId;
    assert.ok(d.energyLots.every((l: { batchId: string }) => l.batchId === issueId));
    const batch = (
      await ix.gql(
        `query($id: BigInt!) { certificateBatch(id: $id) { issuedWh heldWh retiredWh hours { start issuedWh retiredWh } } }`,
        { id: issueId },
      )
    ).certificateBatch;
    assert.equal(BigInt(batch.issuedWh), BigInt(batch.heldWh) + BigInt(batch.retiredWh));
    assert.equal(batch.retiredWh, d.retiredWh);
    for (const h of batch.hours) {
      const held = await x.read<bigint>("GreenCertificates", "balanceOf", [
        p.wind,
        certificateId(book.windDeviceId, h.start),
      ]);
      assert.equal(String(held), String(BigInt(h.issuedWh) - BigInt(h.retiredWh)), `hour ${h.start}`);
    }
  });

  it("links a deal's whole provenance chain with block, time and transaction of each step", async () => {
    const p = parties(x);
    // The first deal moved the clock past every earlier window: trade on fresh orders.
    const t0 = await x.now();
    const posted = async (fn: string, args: unknown[], from: `0x${string}`, event: string, field: string) =>
      x.events(await x.send("Market", fn, args, from), "Market", event)[0][field] as bigint;
    const computeOfferId = await posted(
      "postComputeOffer",
      [computeOffer(t0)],
      p.compute,
      "ComputeOfferPosted",
      "offerId",
    );
    const solarOfferId = await posted(
      "postEnergyOffer",
      [energyOffer(t0, book.solarDeviceId, { whPerHour: [50_000n, 50_000n, 50_000n, 50_000n] })],
      p.solar,
      "EnergyOfferPosted",
      "offerId",
    );
    const bidId = await posted(
      "postBid",
      [
        bid(t0, {
          acceptableRegions: regions(Region.Gansu),
          buyerRegion: Region.Gansu,
          bandwidthMbps: 0,
          vcu: 10n,
        }),
      ],
      p.otherBuyer,
      "BidPosted",
      "bidId",
    );
    const start = window(t0).windowStart;
    const { deals, skipped } = await settle(x, [
      {
        bidId,
        computeOfferId,
        start,
        vcu: 10n,
        computePayment: 70n * USD,
        energyLots: [
          { offerId: solarOfferId, hour: start, wh: 25_000n, payment: 2n * USD },
          { offerId: solarOfferId, hour: start + HOUR, wh: 25_000n, payment: 2n * USD },
        ],
        bandwidthOfferId: 0n,
        bandwidthPayment: 0n,
      },
    ]);
    assert.deepEqual(skipped, []);
    assert.equal(deals.length, 1);
    const deal = deals[0];
    const { outcome } = await deliver(x, deal);
    const half = outcome.credits / 2n;
    const retired = await x.send("CarbonCredits", "retire", [half, p.otherBuyer, "scope 2 offset"], p.otherBuyer);
    await ix.synced();

    const prov = (
      await ix.gql(
        `query($id: BigInt!) { provenance(dealId: $id) {
        complete missing
        steps { key stage entityId at { blockNumber time txHash final } }
        links { from to quantity unit }
      } }`,
        { id: String(deal.dealId) },
      )
    ).provenance;
    assert.deepEqual(prov.missing, []);
    assert.equal(prov.complete, true);
    const stages = prov.steps.map((s: { stage: string }) => s.stage);
    assert.deepEqual(
      [...new Set(stages)],
      [
        "DEVICE",
        "CERTIFICATE_BATCH",
        "ENERGY_OFFER",
        "DEAL",
        "USAGE_REPORT",
        "RETIREMENT",
        "CREDIT_MINT",
        "CREDIT_RETIREMENT",
      ],
    );
    for (const s of prov.steps) {
      assert.match(s.at.txHash, /^0x[0-9a-f]{64}$/);
      assert.ok(s.at.blockNumber > 0 && s.at.time > 0);
      assert.equal(s.at.final, true);
      const receipt = await x.client.getTransactionReceipt({ hash: s.at.txHash });
      assert.equal(Number(receipt.blockNumber), s.at.blockNumber, `${s.key} block`);
    }
    const creditStep = prov.steps.find((s: { stage: string }) => s.stage === "CREDIT_RETIREMENT");
    assert.equal(creditStep.at.txHash, retired.transactionHash);
    const keys = new Set(prov.steps.map((s: { key: string }) => s.key));
    for (const l of prov.links) assert.ok(keys.has(l.from) && keys.has(l.to), `${l.from} → ${l.to}`);
    // Every stage but the first is reached by a link from the stage before it or earlier.
    assert.ok(
      prov.links.some(
        (l: { from: string; to: string }) => l.from.startsWith("DEVICE:") && l.to.startsWith("CERTIFICATE_BATCH:"),
      ),
    );
    assert.ok(
      prov.links.some(
        (l: { from: string; to: string; quantity: string }) =>
          l.from.startsWith("CREDIT_MINT:") && l.to.startsWith("CREDIT_RETIREMENT:") && l.quantity === String(half),
      ),
    );

    const solarIssue = (
      await ix.gql(`query($id: BigInt!) { deal(id: $id) { energyLots { batchId } } }`, { id: String(deal.dealId) })
    ).deal.energyLots[0].batchId;
    const byBatch = (
      await ix.gql(`query($id: BigInt!) { provenance(batchId: $id) { steps { stage entityId } } }`, { id: solarIssue })
    ).provenance;
    assert.ok(
      byBatch.steps.some(
        (s: { stage: string; entityId: string }) => s.stage === "DEAL" && s.entityId === String(deal.dealId),
      ),
    );
    const retirementId = prov.steps.find((s: { stage: string }) => s.stage === "RETIREMENT").entityId;
    const byRetirement = (
      await ix.gql(`query($id: ID!) { provenance(retirementId: $id) { steps { stage } complete } }`, {
        id: retirementId,
      })
    ).provenance;
    assert.equal(byRetirement.complete, true);

    const account = (
      await ix.gql(
        `query($a: String!) { account(address: $a) {
      creditBalance creditLots { dealId amount } creditRetirements { nodes { amount claims { dealId amount } } }
      deals { nodes { id } } marketBalance { withdrawable } activity(first: 5) { nodes { name } }
    } }`,
        { a: p.otherBuyer },
      )
    ).account;
    assert.equal(account.creditBalance, String(outcome.credits - half));
    assert.deepEqual(account.creditLots, [{ dealId: String(deal.dealId), amount: String(outcome.credits - half) }]);
    assert.deepEqual(account.creditRetirements.nodes[0].claims, [
      { dealId: String(deal.dealId), amount: String(half) },
    ]);
    assert.deepEqual(
      account.deals.nodes.map((n: { id: string }) => n.id),
      [String(deal.dealId)],
    );
    assert.equal(account.marketBalance.withdrawable, String(outcome.refund));
    assert.equal(account.activity.nodes[0].name, "CreditsRetired");
  });

  it("pushes order book and deal updates to subscribers over server-sent events", async () => {
    const p = parties(x);
    const controller = new AbortController();
    const subscribe = async (query: string) => {
      const res = await fetch(`${ix.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ query }),
        signal: controller.signal,
      });
      assert.equal(res.status, 200);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      return async function next(): Promise<any> {
        for (;;) {
          const end = buffer.indexOf("\n\n");
          if (end >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame.split("\n").find((l) => l.startsWith("data:"));
            if (data && data.length > 6) return JSON.parse(data.slice(5)).data;
            continue;
          }
          const { value, done } = await reader.read();
          if (done) throw new Error("stream ended");
          buffer += value;
        }
      };
    };
    try {
      const book = await subscribe(
        `subscription { orderBook(resource: COMPUTE, filter: { hardwareClass: "gpu-inference" }) { asks { price quantity } } }`,
      );
      const first = (await book()).orderBook;
      const t0 = await x.now();
      await x.send(
        "Market",
        "postComputeOffer",
        [computeOffer(t0, { vcu: 123n, reservePricePerVcuHour: 1_234_567n })],
        p.compute,
      );
      const second = (await book()).orderBook;
      assert.notDeepEqual(second, first);
      assert.deepEqual(
        second.asks.find((l: { price: string }) => l.price === "1234567"),
        { price: "1234567", quantity: String(123 * 6) },
      );

      const deals = await subscribe(`subscription { deals { id status } }`);
      // The buyer's own feed (the address in mixed case, as a wallet gives it).
      const buyersDeals = await subscribe(`subscription { deals(account: "${p.buyer}") { id buyer } }`);
      const bidId = x.events(
        await x.send(
          "Market",
          "postBid",
          [
            bid(t0, {
              acceptableRegions: regions(Region.Gansu),
              buyerRegion: Region.Gansu,
              bandwidthMbps: 0,
              minGreenBps: 0,
              vcu: 5n,
            }),
          ],
          p.buyer,
        ),
        "Market",
        "BidPosted",
      )[0].bidId;
      const offerId = x.events(
        await x.send("Market", "postComputeOffer", [computeOffer(t0)], p.compute),
        "Market",
        "ComputeOfferPosted",
      )[0].offerId;
      const opened = await settle(x, [
        {
          bidId,
          computeOfferId: offerId,
          start: window(t0).windowStart,
          vcu: 5n,
          computePayment: 36n * USD,
          energyLots: [],
          bandwidthOfferId: 0n,
          bandwidthPayment: 0n,
        },
      ]);
      assert.equal(opened.deals.length, 1);
      assert.deepEqual((await deals()).deals, { id: String(opened.deals[0].dealId), status: "ACTIVE" });
      assert.deepEqual((await buyersDeals()).deals, {
        id: String(opened.deals[0].dealId),
        buyer: p.buyer.toLowerCase(),
      });
    } finally {
      controller.abort();
    }
  });

  it("computes statistics equal to sums over the chain's own events", async () => {
    // Independent sums: every DealOpened, CertificatesRetired and CreditsMinted log of the contracts.
    const logs = async (contract: "Market" | "GreenCertificates" | "CarbonCredits", name: string) => {
      const all = await x.client.getContractEvents({
        address: deployment.addresses[contract],
        abi: (await import("../../protocol/generated/abis.ts"))[
          `${contract[0].toLowerCase()}${contract.slice(1)}Abi` as "marketAbi"
        ],
        eventName: name as never,
        fromBlock: 0n,
      });
      return all.map((l) => (l as unknown as { args: any }).args);
    };
    const opened = await logs("Market", "DealOpened");
    const finalized = await logs("Market", "DealFinalized");
    const retiredLogs = await logs("GreenCertificates", "CertificatesRetired");
    const minted = await logs("CarbonCredits", "CreditsMinted");
    const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
    const computeValue = sum(opened.map((e) => e.terms.computePayment));
    const vcuHours = (t: { vcu: bigint; durationHours: number }) => t.vcu * BigInt(t.durationHours);
    const computeQty = sum(opened.map((e) => vcuHours(e.terms)));
    const energyQty = sum(opened.flatMap((e) => e.terms.energyLots.map((l: { wh: bigint }) => l.wh)));
    const energyValue = sum(opened.flatMap((e) => e.terms.energyLots.map((l: { payment: bigint }) => l.payment)));
    const whRetired = sum(retiredLogs.map((e) => e.wh));
    const gAvoided = sum(minted.map((e) => e.amount));
    const consumed = sum(finalized.map((e) => e.outcome.whConsumed));
    const retiredForDeals = sum(
      finalized.flatMap((e) => e.outcome.energyLots.map((l: { retiredWh: bigint }) => l.retiredWh)),
    );
    // Volume matching counts each deal's bought Wh up to its consumption, whatever their hour.
    const bought = new Map(
      opened.map((e) => [e.dealId, sum(e.terms.energyLots.map((l: { wh: bigint }) => l.wh))] as const),
    );
    const volumeGreen = sum(
      finalized.map((e) => {
        const b = bought.get(e.dealId)!;
        return b < e.outcome.whConsumed ? b : e.outcome.whConsumed;
      }),
    );

    const { stats } = await ix.gql(`{ stats(interval: DAY) {
      totals { resource quantity value trades }
      volume(resource: COMPUTE) { quantity value trades }
      priceHistory(resource: COMPUTE) { open high low close volume trades }
      deals { opened finalized }
      greenShareBps timeMatchedGreenBps whRetired kwhRetired gCo2eAvoided kgCo2eAvoided
    } }`);
    const total = (r: string) => stats.totals.find((t: { resource: string }) => t.resource === r);
    assert.equal(total("COMPUTE").quantity, String(computeQty));
    assert.equal(total("COMPUTE").value, String(computeValue));
    assert.equal(total("COMPUTE").trades, opened.length);
    assert.equal(total("ENERGY").quantity, String(energyQty));
    assert.equal(total("ENERGY").value, String(energyValue));
    assert.equal(sum(stats.volume.map((v: { value: string }) => BigInt(v.value))), computeValue);
    assert.equal(stats.deals.opened, opened.length);
    assert.equal(stats.deals.finalized, finalized.length);
    assert.equal(stats.whRetired, String(whRetired));
    assert.equal(stats.gCo2eAvoided, String(gAvoided));
    assert.equal(stats.timeMatchedGreenBps, Number((retiredForDeals * 10_000n) / consumed));
    assert.equal(stats.greenShareBps, Number((volumeGreen * 10_000n) / consumed));
    const prices = opened.map((e) => (e.terms.computePayment as bigint) / vcuHours(e.terms));
    const candles = stats.priceHistory;
    assert.equal(
      candles.reduce((s: number, c: { trades: number }) => s + c.trades, 0),
      opened.length,
    );
    assert.equal(candles[0].open, String(prices[0]));
    assert.equal(candles[candles.length - 1].close, String(prices[prices.length - 1]));
    assert.equal(BigInt(stats.kwhRetired.split(".")[0]), whRetired / 1000n);
  });

  it("shows a dispute the arbiter let lapse: its own step, then finalised as reported", async () => {
    const p = parties(x);
    const t0 = await x.now();
    const bidParams = bid(t0, {
      acceptableRegions: regions(Region.Gansu),
      buyerRegion: Region.Gansu,
      bandwidthMbps: 0,
      minGreenBps: 0,
      vcu: 2n,
    });
    const bidId = x.events(await x.send("Market", "postBid", [bidParams], p.otherBuyer), "Market", "BidPosted")[0]
      .bidId;
    const offerId = x.events(
      await x.send("Market", "postComputeOffer", [computeOffer(t0)], p.compute),
      "Market",
      "ComputeOfferPosted",
    )[0].offerId;
    const { deals } = await settle(x, [
      {
        bidId,
        computeOfferId: offerId,
        start: window(t0).windowStart,
        vcu: 2n,
        computePayment: 14n * USD,
        energyLots: [],
        bandwidthOfferId: 0n,
        bandwidthPayment: 0n,
      },
    ]);
    const deal = deals[0];
    await x.increaseTime(window(t0).windowEnd - (await x.now()) + 1);
    // Half the VCU in the last two hours, metered at the declared profile.
    const need = BigInt(deal.terms.needPerHourWh);
    const report = fullReport(deal.terms, [need, need, need / 2n, need / 2n]);
    report.vcuPerHour = [2, 2, 1, 1];
    await x.send("Market", "reportUsage", [deal.dealId, deal.terms, report], p.compute);
    const disputed = x.events(
      await x.send("Market", "disputeUsage", [deal.dealId, deal.terms, report, "no answer"], p.otherBuyer),
      "Market",
      "DealDisputed",
    )[0];
    await ix.synced();
    // A client acts on the deal with the indexer's copy of the terms alone: the market checks them against its digest.
    const pending = (
      await ix.gql(`query($id: BigInt!) { deal(id: $id) { status arbitrationDeadline terms } }`, {
        id: String(deal.dealId),
      })
    ).deal;
    assert.equal(pending.status, "DISPUTED");
    assert.equal(pending.arbitrationDeadline, Number(disputed.arbitrationDeadline));
    assert.equal(pending.terms.escrow, String(deal.terms.escrow));
    await x.increaseTime(Number(disputed.arbitrationDeadline) - (await x.now()));
    const lapsed = await x.send("Market", "finalizeLapsedDispute", [deal.dealId, pending.terms, report], p.network);
    const { outcome } = x.events(lapsed, "Market", "DealFinalized")[0];
    await ix.synced();

    const d = (
      await ix.gql(
        `query($id: BigInt!) { deal(id: $id) {
        status disputeReason arbiter refundBps acceptedBps computePaid refund
        steps { action actor at { txHash } }
      } }`,
        { id: String(deal.dealId) },
      )
    ).deal;
    assert.equal(d.status, "FINALIZED");
    assert.deepEqual(
      d.steps.map((s: { action: string }) => s.action),
      ["opened", "reported", "disputed", "lapsed", "finalized"],
    );
    const step = d.steps.find((s: { action: string }) => s.action === "lapsed");
    assert.deepEqual(step, { action: "lapsed", actor: null, at: { txHash: lapsed.transactionHash } });
    assert.deepEqual([d.disputeReason, d.arbiter, d.refundBps, d.acceptedBps], ["no answer", null, 0, 10_000]);
    assert.equal(d.computePaid, String(outcome.computePaid));
    assert.equal(d.refund, String(outcome.refund));
    assert.equal(outcome.computePaid + outcome.fee + outcome.refund, deal.terms.escrow);
  });
});
