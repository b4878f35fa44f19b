// The hourly market as GraphQL tells it, against real contracts on a local node: a flexible bid
// whose start the match fixes, its deal's hours exactly as bought, metered and retired; each offer's
// capacity per hour; the green supply and demand of regions per hour; device-hour certificates; the
// time-matched green share against a hand computation; provenance through device-hours.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { certificateId } from "../../protocol/hours.ts";
import { type Deployment, deploy, Exchange, type Node, startNode } from "./helpers/chain.ts";
import { type Running, runIndexer, tempDir } from "./helpers/indexer.ts";
import {
  type Book,
  bid,
  computeOffer,
  deliver,
  energyOffer,
  fullReport,
  HOUR,
  issueLotHours,
  openBook,
  parties,
  passJob,
  Region,
  regions,
  settle,
  USD,
  window,
} from "./helpers/market.ts";

/** What the flexible job needs per hour: 10 VCU × 2,000 Wh × PUE 1.25. */
const NEED = 25_000n;

describe("indexer: the hourly market", () => {
  let node: Node;
  let deployment: Deployment;
  let x: Exchange;
  let ix: Running;
  let book: Book;
  let deployDir: string;
  let deal: { dealId: bigint; terms: any };
  let flexibleBidId: bigint;
  /** The two hours the match chose inside the bid's four-hour window. */
  let h2: number;
  let h3: number;

  before(async () => {
    node = await startNode();
    deployDir = tempDir("deploy");
    deployment = await deploy(node, deployDir);
    x = await new Exchange(node.url, deployment).init();
    ix = await runIndexer(node, deployment);
    book = await openBook(x);
    h2 = book.start + 2 * HOUR;
    h3 = book.start + 3 * HOUR;
    // A flexible job: 10 VCU for 2 hours anywhere in the standard job's four hours.
    const posted = await x.send(
      "Market",
      "postBid",
      [bid(book.t0, { vcu: 10n, durationHours: 2, minGreenBps: 4_000 })],
      parties(x).otherBuyer,
    );
    flexibleBidId = x.events(posted, "Market", "BidPosted")[0].bidId as bigint;
    const settled = await settle(x, [
      {
        bidId: flexibleBidId,
        computeOfferId: book.computeOfferId,
        start: h2,
        vcu: 10n,
        computePayment: 36n * USD,
        energyLots: [
          { offerId: book.windOfferId, hour: h2, wh: 15_000n, payment: 1n * USD },
          { offerId: book.solarOfferId, hour: h3, wh: 10_000n, payment: 1n * USD },
        ],
        bandwidthOfferId: book.bandwidthOfferId,
        bandwidthPayment: 1n * USD,
      },
    ]);
    assert.deepEqual(settled.skipped, []);
    deal = settled.deals[0];
    await ix.synced();
  });

  after(async () => {
    await ix?.stop();
    await node?.stop();
    rmSync(deployDir, { recursive: true, force: true });
  });

  it("gives a flexible deal back its start and hours exactly as matched, and fixes the bid's start", async () => {
    const { deal: d, order } = await ix.gql(
      `query($id: BigInt!, $bid: BigInt!) {
        deal(id: $id) { start durationHours vcu vcuHours windowStart windowEnd certificateOrigin energyNeededWh greenWh
          hours { start vcu vcuDelivered needWh greenWh meteredWh retiredWh }
          energyLots { offerId hour deviceId certificateId batchId wh } }
        order(kind: BID, id: $bid) { vcu durationHours earliestStart latestEnd start certificateOrigin
          quantity remaining remainingVcu status }
      }`,
      { id: String(deal.dealId), bid: String(flexibleBidId) },
    );
    assert.deepEqual(
      { ...d, hours: undefined, energyLots: undefined },
      {
        start: h2,
        durationHours: 2,
        vcu: 10,
        vcuHours: "20",
        windowStart: h2,
        windowEnd: h3 + HOUR,
        certificateOrigin: "grid-area",
        energyNeededWh: String(2n * NEED),
        greenWh: "25000",
        hours: undefined,
        energyLots: undefined,
      },
    );
    assert.deepEqual(d.hours, [
      {
        start: h2,
        vcu: 10,
        vcuDelivered: null,
        needWh: String(NEED),
        greenWh: "15000",
        meteredWh: null,
        retiredWh: null,
      },
      {
        start: h3,
        vcu: 10,
        vcuDelivered: null,
        needWh: String(NEED),
        greenWh: "10000",
        meteredWh: null,
        retiredWh: null,
      },
    ]);
    // Sold forward: the device-hours are not issued yet, so no issue holds them.
    assert.deepEqual(d.energyLots, [
      {
        offerId: String(book.windOfferId),
        hour: h2,
        deviceId: String(book.windDeviceId),
        certificateId: String(certificateId(book.windDeviceId, h2)),
        batchId: null,
        wh: "15000",
      },
      {
        offerId: String(book.solarOfferId),
        hour: h3,
        deviceId: String(book.solarDeviceId),
        certificateId: String(certificateId(book.solarDeviceId, h3)),
        batchId: null,
        wh: "10000",
      },
    ]);
    assert.deepEqual(order, {
      vcu: 10,
      durationHours: 2,
      earliestStart: book.start,
      latestEnd: book.start + 4 * HOUR,
      start: h2,
      certificateOrigin: "grid-area",
      quantity: "20",
      remaining: "0",
      remainingVcu: 0,
      status: "FILLED",
    });
  });

  it("shows each offer's capacity, use and free capacity per hour", async () => {
    const q = `query($kind: OrderKind!, $id: BigInt!, $from: Int, $to: Int) {
      order(kind: $kind, id: $id) { quantity remaining hours(from: $from, to: $to) { start capacity used free } } }`;
    const hoursOf = async (kind: string, id: bigint, from?: number, to?: number) =>
      (await ix.gql(q, { kind, id: String(id), from, to })).order;
    const hour = (start: number, capacity: bigint, used: bigint) => ({
      start,
      capacity: String(capacity),
      used: String(used),
      free: String(capacity - used),
    });
    const s = book.start;
    // Compute: 100 VCU in each of six hours; the job used 10 in h2 and h3.
    const compute = await hoursOf("COMPUTE_OFFER", book.computeOfferId);
    assert.deepEqual(compute.hours, [
      hour(s - HOUR, 100n, 0n),
      hour(s, 100n, 0n),
      hour(s + HOUR, 100n, 0n),
      hour(h2, 100n, 10n),
      hour(h3, 100n, 10n),
      hour(s + 4 * HOUR, 100n, 0n),
    ]);
    assert.deepEqual([compute.quantity, compute.remaining], ["600", "580"]);
    // A range narrows the list to the offer's hours inside it.
    assert.deepEqual((await hoursOf("COMPUTE_OFFER", book.computeOfferId, h3, s + 8 * HOUR)).hours, [
      hour(h3, 100n, 10n),
      hour(s + 4 * HOUR, 100n, 0n),
    ]);
    const wind = await hoursOf("ENERGY_OFFER", book.windOfferId);
    assert.deepEqual(wind.hours, [
      hour(s, 200_000n, 0n),
      hour(s + HOUR, 200_000n, 0n),
      hour(h2, 200_000n, 15_000n),
      hour(h3, 200_000n, 0n),
    ]);
    assert.deepEqual([wind.quantity, wind.remaining], ["800000", "785000"]);
    const link = await hoursOf("BANDWIDTH_OFFER", book.bandwidthOfferId, s, s + 4 * HOUR);
    assert.deepEqual(link.hours, [
      hour(s, 1_000n, 0n),
      hour(s + HOUR, 1_000n, 0n),
      hour(h2, 1_000n, 50n),
      hour(h3, 1_000n, 50n),
    ]);
    assert.deepEqual((await hoursOf("BID", flexibleBidId)).hours, []);
  });

  it("sums green supply and demand per region and hour, and a cancelled offer frees its unsold Wh", async () => {
    const q = `query($from: Int!, $to: Int!, $region: Int) {
      regionHours(from: $from, to: $to, region: $region) { region gridArea start greenOfferedWh greenSoldWh demandWh } }`;
    const s = book.start;
    const row = (region: number, start: number, offered: bigint, sold: bigint, demand: bigint) => ({
      region,
      gridArea: "northwest",
      start,
      greenOfferedWh: String(offered),
      greenSoldWh: String(sold),
      demandWh: String(demand),
    });
    // Gansu: the wind device's offer, and the job computing there.
    assert.deepEqual((await ix.gql(q, { from: s, to: s + 4 * HOUR, region: Region.Gansu })).regionHours, [
      row(Region.Gansu, s, 200_000n, 0n, 0n),
      row(Region.Gansu, s + HOUR, 200_000n, 0n, 0n),
      row(Region.Gansu, h2, 200_000n, 15_000n, NEED),
      row(Region.Gansu, h3, 200_000n, 0n, NEED),
    ]);
    // All regions: eight regions × two hours, zeros included.
    const all = (await ix.gql(q, { from: h2, to: h3 + HOUR })).regionHours;
    assert.equal(all.length, 16);
    assert.deepEqual(
      all.filter((r: { greenOfferedWh: string }) => r.greenOfferedWh !== "0").map((r: { region: number }) => r.region),
      [Region.Gansu, Region.Gansu, Region.Ningxia, Region.Ningxia],
    );

    await x.send("Market", "cancelEnergyOffer", [book.solarOfferId], parties(x).solar);
    await ix.synced();
    assert.deepEqual((await ix.gql(q, { from: s, to: s + 4 * HOUR, region: Region.Ningxia })).regionHours, [
      row(Region.Ningxia, s, 0n, 0n, 0n),
      row(Region.Ningxia, s + HOUR, 0n, 0n, 0n),
      row(Region.Ningxia, h2, 0n, 0n, 0n),
      row(Region.Ningxia, h3, 10_000n, 10_000n, 0n),
    ]);
    const solar = (
      await ix.gql(
        `query($id: BigInt!) { order(kind: ENERGY_OFFER, id: $id) { status remaining cancelled hours { start capacity used free } } }`,
        { id: String(book.solarOfferId) },
      )
    ).order;
    assert.equal(solar.status, "CANCELLED");
    assert.deepEqual([solar.remaining, solar.cancelled], ["0", "790000"]);
    assert.deepEqual(solar.hours.at(-1), { start: h3, capacity: "10000", used: "10000", free: "0" });
    assert.deepEqual(
      solar.hours.slice(0, 3).map((h: { capacity: string }) => h.capacity),
      ["0", "0", "0"],
    );
  });

  it("records the report and the retirement hour by hour, and the time-matched share by hand", async () => {
    // Hour h2 meters less than its green Wh (12 of 15 kWh retire), h3 more (all 10 kWh retire).
    // Each hour stays within 25 % of the energy its delivered VCU declare (15 and 20 kWh), so the
    // report is not flagged and the buyer's confirmation finalises it at once.
    const report = {
      vcuPerHour: [6, 8],
      whPerHour: [12_000n, 24_000n],
      meteringRoot: `0x${"cd".repeat(32)}` as const,
    };
    const { outcome } = await deliver(x, deal, report);
    await ix.synced();
    const { deal: d, stats } = await ix.gql(
      `query($id: BigInt!) {
        deal(id: $id) { status matchedGreenWh whConsumed retiredWh returnedWh credits
          hours { start vcu vcuDelivered needWh greenWh meteredWh retiredWh }
          energyLots { batchId retiredWh undeliveredWh returnedWh paid }
          usageReport { vcuDelivered whConsumed vcuPerHour whPerHour meteringHash } }
        stats { greenShareBps timeMatchedGreenBps whRetired }
      }`,
      { id: String(deal.dealId) },
    );
    assert.equal(d.status, "FINALIZED");
    assert.deepEqual(d.hours, [
      {
        start: h2,
        vcu: 10,
        vcuDelivered: 6,
        needWh: "25000",
        greenWh: "15000",
        meteredWh: "12000",
        retiredWh: "12000",
      },
      {
        start: h3,
        vcu: 10,
        vcuDelivered: 8,
        needWh: "25000",
        greenWh: "10000",
        meteredWh: "24000",
        retiredWh: "10000",
      },
    ]);
    assert.deepEqual(d.usageReport, {
      vcuDelivered: "14",
      whConsumed: "36000",
      vcuPerHour: [6, 8],
      whPerHour: ["12000", "24000"],
      meteringHash: `0x${"cd".repeat(32)}`,
    });
    assert.equal(d.matchedGreenWh, "22000");
    assert.equal(d.retiredWh, "22000");
    assert.equal(d.returnedWh, "3000");
    assert.equal(d.credits, String(outcome.credits));
    assert.deepEqual(
      d.energyLots.map((l: Record<string, string>) => [l.retiredWh, l.undeliveredWh, l.returnedWh, l.paid]),
      outcome.energyLots.map((l: { retiredWh: bigint; undeliveredWh: bigint; paid: bigint }, i: number) => [
        String(l.retiredWh),
        String(l.undeliveredWh),
        String([15_000n, 10_000n][i] - l.retiredWh),
        String(l.paid),
      ]),
    );
    // Issued now, each lot's device-hour belongs to its device's issue.
    assert.ok(d.energyLots.every((l: { batchId: string | null }) => l.batchId !== null));
    // By hand: retired 12,000 + 10,000 of 36,000 metered Wh; volume matching would count
    // min(25,000 bought, 36,000 consumed).
    assert.equal(stats.timeMatchedGreenBps, Math.floor((22_000 * 10_000) / 36_000));
    assert.equal(stats.greenShareBps, Math.floor((25_000 * 10_000) / 36_000));
    assert.equal(stats.whRetired, "22000");
  });

  it("keeps each device-hour's issued and retired Wh and traces the deal through them", async () => {
    const windIssue = (
      await ix.gql(
        `query($id: BigInt!) { device(id: $id) {
          issuedWh issuedUntil batches { nodes { id periodStart periodEnd issuedWh heldWh retiredWh
            hours { start certificateId issuedWh retiredWh } holders { holder wh } } }
          hours(from: ${book.start}, to: ${book.start + 8 * HOUR}) { start issuedWh retiredWh } } }`,
        { id: String(book.windDeviceId) },
      )
    ).device;
    assert.equal(windIssue.issuedUntil, h3);
    const [issue] = windIssue.batches.nodes;
    assert.deepEqual(
      { ...issue, id: undefined },
      {
        id: undefined,
        periodStart: h2,
        periodEnd: h3,
        issuedWh: "15000",
        heldWh: "3000",
        retiredWh: "12000",
        hours: [
          {
            start: h2,
            certificateId: String(certificateId(book.windDeviceId, h2)),
            issuedWh: "15000",
            retiredWh: "12000",
          },
        ],
        holders: [{ holder: parties(x).wind.toLowerCase(), wh: "3000" }],
      },
    );
    assert.deepEqual(windIssue.hours, [{ start: h2, issuedWh: "15000", retiredWh: "12000" }]);
    // On chain, the supplier holds what was not retired.
    const held = await x.read<bigint>("GreenCertificates", "balanceOf", [
      parties(x).wind,
      certificateId(book.windDeviceId, h2),
    ]);
    assert.equal(held, 3_000n);

    const { provenance, retirements } = await ix.gql(
      `query($id: BigInt!) {
        provenance(dealId: $id) { complete missing steps { key stage } links { from to quantity unit } }
        retirements(filter: { dealId: $id }) { nodes { deviceId hour certificateId wh batchId } }
      }`,
      { id: String(deal.dealId) },
    );
    assert.deepEqual(
      retirements.nodes
        .map((r: { deviceId: string; hour: number; wh: string }) => [r.deviceId, r.hour, r.wh])
        .sort((a: [string, number], b: [string, number]) => a[1] - b[1]),
      [
        [String(book.windDeviceId), h2, "12000"],
        [String(book.solarDeviceId), h3, "10000"],
      ],
    );
    assert.deepEqual(provenance.missing, ["CREDIT_RETIREMENT"]);
    const stages = new Set(provenance.steps.map((s: { stage: string }) => s.stage));
    for (const stage of [
      "DEVICE",
      "CERTIFICATE_BATCH",
      "ENERGY_OFFER",
      "DEAL",
      "USAGE_REPORT",
      "RETIREMENT",
      "CREDIT_MINT",
    ])
      assert.ok(stages.has(stage), stage);
    // Plant → device-hour issue (the Wh the lot bought) → offer → deal.
    const link = (from: string, to: string) =>
      provenance.links.find((l: { from: string; to: string }) => l.from === from && l.to === to);
    const windBatch = `CERTIFICATE_BATCH:${issue.id}`;
    assert.deepEqual(link(`DEVICE:${book.windDeviceId}`, windBatch), {
      from: `DEVICE:${book.windDeviceId}`,
      to: windBatch,
      quantity: "15000",
      unit: "Wh",
    });
    assert.equal(link(windBatch, `ENERGY_OFFER:${book.windOfferId}`)?.quantity, "15000");
    assert.equal(link(`ENERGY_OFFER:${book.windOfferId}`, `DEAL:${deal.dealId}`)?.quantity, "15000");
  });

  it("shows Wh sold forward but not delivered: the supplier sold its certificates elsewhere before finalisation", async () => {
    const p = parties(x);
    const t0 = await x.now();
    const { windowStart: s } = window(t0);
    const posted = async (fn: string, args: unknown[], from: `0x${string}`, event: string, field: string) =>
      x.events(await x.send("Market", fn, args, from), "Market", event)[0][field] as bigint;
    const computeOfferId = await posted(
      "postComputeOffer",
      [computeOffer(t0)],
      p.compute,
      "ComputeOfferPosted",
      "offerId",
    );
    const windOfferId = await posted(
      "postEnergyOffer",
      [energyOffer(t0, book.windDeviceId)],
      p.wind,
      "EnergyOfferPosted",
      "offerId",
    );
    const bidId = await posted(
      "postBid",
      [bid(t0, { acceptableRegions: regions(Region.Gansu), buyerRegion: Region.Gansu, bandwidthMbps: 0, vcu: 10n })],
      p.buyer,
      "BidPosted",
      "bidId",
    );
    const { deals } = await settle(x, [
      {
        bidId,
        computeOfferId,
        start: s,
        vcu: 10n,
        computePayment: 70n * USD,
        energyLots: [0, 1].map((i) => ({ offerId: windOfferId, hour: s + i * HOUR, wh: 25_000n, payment: 2n * USD })),
        bandwidthOfferId: 0n,
        bandwidthPayment: 0n,
      },
    ]);
    const forward = deals[0];
    await passJob(x, forward.terms);
    await issueLotHours(x, forward.terms);
    // Before finalisation the supplier sells 10 kWh of the first hour's certificates to someone else.
    const firstHour = certificateId(book.windDeviceId, s);
    await x.send("GreenCertificates", "safeTransferFrom", [p.wind, p.solar, firstHour, 10_000n, "0x"], p.wind);
    const report = fullReport(forward.terms);
    await x.send("Market", "reportUsage", [forward.dealId, forward.terms, report], p.compute);
    const confirmed = await x.send("Market", "confirmUsage", [forward.dealId, forward.terms, report], p.buyer);
    const { outcome } = x.events(confirmed, "Market", "DealFinalized")[0];
    await ix.synced();

    const d = (
      await ix.gql(
        `query($id: BigInt!) { deal(id: $id) { greenWh retiredWh undeliveredWh returnedWh
          energyLots { hour wh retiredWh undeliveredWh returnedWh paid } hours { start greenWh retiredWh } } }`,
        { id: String(forward.dealId) },
      )
    ).deal;
    assert.deepEqual(
      outcome.energyLots.map((l: { retiredWh: bigint; undeliveredWh: bigint }) => [l.retiredWh, l.undeliveredWh]),
      [
        [15_000n, 10_000n],
        [25_000n, 0n],
      ],
    );
    assert.deepEqual([d.greenWh, d.retiredWh, d.undeliveredWh, d.returnedWh], ["50000", "40000", "10000", "10000"]);
    assert.deepEqual(
      d.energyLots,
      outcome.energyLots.map((l: { retiredWh: bigint; undeliveredWh: bigint; paid: bigint }, i: number) => ({
        hour: s + i * HOUR,
        wh: "25000",
        retiredWh: String(l.retiredWh),
        undeliveredWh: String(l.undeliveredWh),
        returnedWh: String(25_000n - l.retiredWh),
        paid: String(l.paid),
      })),
    );
    assert.deepEqual(d.hours.slice(0, 2), [
      { start: s, greenWh: "25000", retiredWh: "15000" },
      { start: s + HOUR, greenWh: "25000", retiredWh: "25000" },
    ]);
    // The certificates of the first hour: 25 kWh issued, 15 retired for the deal, 10 held elsewhere.
    const hour = (
      await ix.gql(
        `query($id: BigInt!, $from: Int!, $to: Int!) { device(id: $id) { hours(from: $from, to: $to) { issuedWh retiredWh } } }`,
        { id: String(book.windDeviceId), from: s, to: s + HOUR },
      )
    ).device.hours;
    assert.deepEqual(hour, [{ issuedWh: "25000", retiredWh: "15000" }]);
  });
});
