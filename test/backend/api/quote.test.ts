import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { OpenBook } from "../../../backend/book/book-source.ts";
import { QuoteResponse } from "../../../protocol/api.ts";
import { marketBook } from "./market-book.ts";
import { postJson, problemOf, startTestServer, type TestServer } from "./server.ts";

const NOW = 1_900_000_800; // on the hour
const HOUR = 3_600;
const FEE_BPS = 30;
const addr = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as const;

/**
 * One local gpu-inference offer in the Yangtze delta (east grid; 10 VCU an hour, 1 token per
 * VCU-hour, 0.5 kWh per VCU-hour after PUE), one cheaper remote offer in Beijing–Tianjin–Hebei
 * (north grid) that needs a link to the delta, a wind farm in the delta offering 10 kWh in each of
 * the next four hours and a solar plant there offering 10 kWh in each of hours 10–13 only, at 0.05
 * token/kWh.
 */
const smallBook: OpenBook = {
  asOf: NOW,
  bids: [],
  computeOffers: [
    {
      id: 1n,
      supplier: addr(1),
      hardwareClass: 2,
      region: 2,
      windowStart: NOW,
      windowEnd: NOW + 48 * HOUR,
      vcu: 10,
      reservePricePerVcuHour: 1_000_000n,
      whPerVcuHour: 400n,
      pueMilli: 1_250,
      expiry: NOW + 48 * HOUR,
    },
    {
      id: 2n,
      supplier: addr(2),
      hardwareClass: 2,
      region: 1,
      windowStart: NOW,
      windowEnd: NOW + 48 * HOUR,
      vcu: 10,
      reservePricePerVcuHour: 800_000n,
      whPerVcuHour: 400n,
      pueMilli: 1_250,
      expiry: NOW + 48 * HOUR,
    },
  ],
  energyOffers: [
    {
      id: 3n,
      supplier: addr(3),
      deviceId: 1n,
      source: 1,
      region: 2,
      firstHour: NOW,
      whPerHour: [10_000n, 10_000n, 10_000n, 10_000n],
      reservePricePerKwh: 50_000n,
      expiry: NOW + 48 * HOUR,
    },
    {
      id: 5n,
      supplier: addr(5),
      deviceId: 2n,
      source: 0,
      region: 2,
      firstHour: NOW + 10 * HOUR,
      whPerHour: [10_000n, 10_000n, 10_000n, 10_000n],
      reservePricePerKwh: 50_000n,
      expiry: NOW + 48 * HOUR,
    },
  ],
  bandwidthOffers: [
    {
      id: 4n,
      supplier: addr(4),
      fromRegion: 1,
      toRegion: 2,
      mbps: 1_000,
      latencyMs: 20,
      windowStart: NOW,
      windowEnd: NOW + 48 * HOUR,
      reservePricePerMbpsHour: 2_000n,
      expiry: NOW + 48 * HOUR,
    },
  ],
};

/** 5 VCU for the 2 hours [NOW + 1 h, NOW + 3 h), half of its energy from certificates of the same hours. */
const localBid = {
  hardwareClass: "gpu-inference",
  acceptableRegions: ["yangtze-delta"],
  buyerRegion: "yangtze-delta",
  earliestStart: NOW + HOUR,
  latestEnd: NOW + 3 * HOUR,
  durationHours: 2,
  vcu: 5,
  limitPricePerVcuHour: "2000000",
  minGreenBps: 5_000,
};
// Reserve cost of localBid: 10 VCU-h × 1 token + 2 × 1,250 Wh × 0.05 token/kWh = 10,125,000; the least
// limit L the contract accepts for it satisfies 10,125,000 × (10⁴ + fee) ≤ 10⁴ × L × 10 VCU-h.
const localReserve = 10_000_000n + 125_000n;
const localMinimum = (localReserve * BigInt(10_000 + FEE_BPS) + 99_999n) / 100_000n;

async function quote(srv: TestServer, body: unknown): Promise<QuoteResponse> {
  const res = await postJson(`${srv.url}/api/quote`, body);
  assert.equal(res.status, 200, await res.clone().text());
  return QuoteResponse.parse(await res.json());
}

describe("POST /api/quote", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ clock: () => NOW, platformFeeBps: FEE_BPS });
    srv.book.replace(smallBook);
  });
  after(() => srv.close());

  it("prices a bid the book can fill, within its limit and above every reserve", async () => {
    const q = await quote(srv, localBid);
    assert.equal(q.outcome, "priced");
    assert.equal(q.limitSufficient, true);
    assert.equal(q.filledVcu, 5);
    assert.equal(q.filledVcuHours, "10");
    assert.equal(q.start, NOW + HOUR, "a fixed job starts at its window's start");
    assert.deepEqual(q.reasons, []);
    assert.equal(q.minimumLimitPerVcuHour, String(localMinimum));
    assert.ok(q.price !== null);
    const perVcu = BigInt(q.price.perVcuHour);
    assert.ok(perVcu <= 2_000_000n, "never above the limit");
    assert.ok(perVcu >= localMinimum, "never below the reserve cost");
    assert.equal(BigInt(q.price.total) <= 2_000_000n * 10n, true);
    assert.ok(BigInt(q.price.computePerVcuHour) >= 1_000_000n);
    assert.ok(q.price.energyPerKwh !== null && BigInt(q.price.energyPerKwh) >= 50_000n);
    assert.equal(q.price.bandwidthPerMbpsHour, null, "local job, no link");
    assert.ok(q.greenShareBps !== null && q.greenShareBps >= 5_000);
    assert.deepEqual(q.bid.acceptableRegions, ["yangtze-delta"]);
    assert.equal(q.bid.certificateOrigin, "grid-area", "the default origin rule");
  });

  it("echoes the accepted regions by name, each once, in the order the bid first names them", async () => {
    const q = await quote(srv, {
      ...localBid,
      acceptableRegions: ["gansu", "yangtze-delta", "gansu", "yangtze-delta"],
    });
    assert.deepEqual(q.bid.acceptableRegions, ["gansu", "yangtze-delta"]);
  });

  it("shows each job hour's energy need against the certificates of that hour, and the origin rule that applied", async () => {
    const q = await quote(srv, localBid);
    assert.deepEqual(
      q.hours.map((h) => [h.start, h.needWh]),
      [
        [NOW + HOUR, "2500"],
        [NOW + 2 * HOUR, "2500"],
      ],
    );
    for (const h of q.hours) assert.ok(BigInt(h.greenWh) <= BigInt(h.needWh), "never more green than the hour needs");
    const green = q.hours.reduce((s, h) => s + BigInt(h.greenWh), 0n);
    assert.ok(green >= 2_500n, "half of the job's 5,000 Wh");
    const lotHours = q.bundles.flatMap((b) => b.energyLots.map((l) => l.hour));
    assert.ok(
      lotHours.every((h) => h === NOW + HOUR || h === NOW + 2 * HOUR),
      "lots only of the job's hours",
    );
    assert.equal(q.certificates.origin, "grid-area");
    assert.match(q.certificates.explanation, /yangtze-delta: east/);
  });

  it("moves a flexible job to the hours with green certificates", async () => {
    // Anywhere in [NOW + 5 h, NOW + 24 h), all of its energy green: only the solar plant's hours 10–13 can.
    const q = await quote(srv, {
      ...localBid,
      earliestStart: NOW + 5 * HOUR,
      latestEnd: NOW + 24 * HOUR,
      minGreenBps: 10_000,
    });
    assert.equal(q.outcome, "priced", q.reasons.join("; "));
    assert.ok(q.start !== null && q.start >= NOW + 10 * HOUR && q.start <= NOW + 12 * HOUR, `start ${q.start}`);
    for (const h of q.hours) assert.equal(h.greenWh, h.needWh, `hour ${h.start} fully green`);
    assert.equal(q.greenShareBps, 10_000);
    assert.ok(q.bundles.every((b) => b.start === q.start && b.energyLots.every((l) => l.offerId === "5")));
  });

  it("explains the bargain party by party: reserves, disagreement points, weights, payments, shares", async () => {
    const q = await quote(srv, localBid);
    assert.equal(q.bundles.length, 1);
    const [bundle] = q.bundles;
    assert.equal(bundle.computeOfferId, "1");
    assert.equal(bundle.region, "yangtze-delta");
    assert.equal(bundle.start, NOW + HOUR);
    assert.equal(bundle.vcu, "5");
    const roles = bundle.parties.map((p) => p.role).sort();
    assert.deepEqual(roles, ["buyer", "compute", "energy"]);
    for (const p of bundle.parties) {
      assert.ok(p.weight > 0);
      assert.ok(p.explanation.length > 0);
      if (p.role === "buyer") assert.ok(BigInt(p.payment) <= BigInt(p.reserve), "buyer pays at most its reserve");
      else assert.ok(BigInt(p.payment) >= BigInt(p.reserve), `${p.role} gets at least its reserve`);
    }
    const shares = bundle.parties.reduce((s, p) => s + p.surplusShareBps, 0) + bundle.feeShareBps;
    assert.ok(
      Math.abs(shares - 10_000) <= bundle.parties.length + 1,
      `parties and fee share the whole surplus (${shares})`,
    );
    const buyer = bundle.parties.find((p) => p.role === "buyer");
    assert.equal(buyer?.orderId, "0", "the quoted bid is not posted yet");
    assert.equal(BigInt(buyer?.payment ?? 0), BigInt(q.price?.total ?? -1), "the buyer pays the quoted total");
    const suppliers = bundle.parties.filter((p) => p.role !== "buyer").reduce((s, p) => s + BigInt(p.payment), 0n);
    const paid =
      BigInt(bundle.computePayment) +
      bundle.energyLots.reduce((s, l) => s + BigInt(l.payment), 0n) +
      BigInt(bundle.bandwidthPayment);
    assert.equal(suppliers, paid, "the parties' payments are the bundle's payments");
  });

  it("uses the remote offer with a link when the buyer accepts its region and the origin rule its certificates", async () => {
    const remote = { ...localBid, acceptableRegions: ["beijing-tianjin-hebei"], bandwidthMbps: 100, maxLatencyMs: 30 };
    // The only certificates are in the east grid; compute in the north grid may not use them by default.
    const sameGrid = await quote(srv, remote);
    assert.equal(sameGrid.outcome, "infeasible");
    assert.match(sameGrid.reasons.join(" "), /grid-area origin rule/);
    const q = await quote(srv, { ...remote, certificateOrigin: "anywhere" });
    assert.equal(q.outcome, "priced");
    assert.equal(q.certificates.origin, "anywhere");
    assert.equal(q.bundles[0].region, "beijing-tianjin-hebei");
    assert.equal(q.bundles[0].bandwidthOfferId, "4");
    assert.ok(q.price?.bandwidthPerMbpsHour !== null && BigInt(q.price?.bandwidthPerMbpsHour ?? 0) >= 2_000n);
    assert.ok(q.bundles[0].parties.some((p) => p.role === "bandwidth"));
  });

  it("says the limit is too low and which limit would clear, and that limit then clears", async () => {
    const low = await quote(srv, { ...localBid, limitPricePerVcuHour: "1000000" });
    assert.equal(low.outcome, "limit-too-low");
    assert.equal(low.limitSufficient, false);
    assert.equal(low.price, null);
    assert.equal(low.minimumLimitPerVcuHour, String(localMinimum));
    assert.match(low.reasons[0], /above the limit/);
    const enough = await quote(srv, { ...localBid, limitPricePerVcuHour: String(localMinimum + 10_000n) });
    assert.equal(enough.outcome, "priced");
  });

  it("reports a partial fill when the book has less capacity than asked", async () => {
    const q = await quote(srv, { ...localBid, vcu: 15, minGreenBps: 0 });
    assert.equal(q.outcome, "priced");
    assert.equal(q.filledVcu, 10);
    assert.equal(q.filledVcuHours, "20");
    assert.match(q.reasons[0], /only 10 of 15 VCU/);
  });

  it("says why a bid is infeasible", async () => {
    const noClass = await quote(srv, { ...localBid, hardwareClass: "cpu-hpc" });
    assert.equal(noClass.outcome, "infeasible");
    assert.equal(noClass.minimumLimitPerVcuHour, null);
    assert.match(noClass.reasons[0], /no open cpu-hpc offer/);

    const over = await quote(srv, { ...localBid, earliestStart: NOW - 2 * HOUR, latestEnd: NOW + HOUR });
    assert.equal(over.outcome, "infeasible");
    assert.match(over.reasons[0], /no 2-hour run fits between the next hour and the window's end/);

    const noLink = await quote(srv, {
      ...localBid,
      certificateOrigin: "anywhere",
      acceptableRegions: ["beijing-tianjin-hebei"],
      bandwidthMbps: 100,
      maxLatencyMs: 5,
    });
    assert.equal(noLink.outcome, "infeasible");
    assert.match(noLink.reasons.join(" "), /no bandwidth offer carries 100 Mbps within 5 ms/);
  });

  it("counts quotes by outcome in /metrics", async () => {
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    assert.match(text, /^ccex_quotes_total\{outcome="priced"\} [1-9]\d*$/m);
    assert.match(text, /^ccex_quotes_total\{outcome="infeasible"\} [1-9]\d*$/m);
    assert.match(text, /^ccex_quote_pricing_duration_seconds_count [1-9]\d*$/m);
  });
});

describe("POST /api/quote against a realistic book", () => {
  let srv: TestServer;
  const now = NOW;
  before(async () => {
    srv = await startTestServer({ clock: () => now, platformFeeBps: FEE_BPS });
    srv.book.replace(marketBook({ now }));
  });
  after(() => srv.close());

  it("prices every hardware class within the limit and the green share", async () => {
    const limits = {
      "cpu-general": "200000",
      "cpu-hpc": "500000",
      "gpu-inference": "3000000",
      "gpu-training": "6000000",
    };
    for (const [hardwareClass, limit] of Object.entries(limits)) {
      const q = await quote(srv, {
        hardwareClass,
        acceptableRegions: ["beijing-tianjin-hebei", "gansu", 5],
        buyerRegion: "yangtze-delta",
        earliestStart: now + 2 * HOUR,
        latestEnd: now + 14 * HOUR,
        durationHours: 4,
        vcu: 20,
        limitPricePerVcuHour: limit,
        minGreenBps: 8_000,
        bandwidthMbps: 50,
        maxLatencyMs: 60,
      });
      assert.equal(q.outcome, "priced", `${hardwareClass}: ${q.reasons.join("; ")}`);
      assert.ok(BigInt(q.price?.perVcuHour ?? "0") <= BigInt(limit), hardwareClass);
      assert.ok((q.greenShareBps ?? 0) >= 8_000, hardwareClass);
      assert.ok(q.start !== null && q.start >= now + 2 * HOUR && q.start + 4 * HOUR <= now + 14 * HOUR);
      assert.ok(
        q.bundles.every((b) => b.bandwidthOfferId !== "0"),
        "remote regions only: every bundle has a link",
      );
    }
  });

  it("quotes as if orders the exchange does not trade were not there, even from a source that kept them", async () => {
    const poisoned: OpenBook = {
      ...smallBook,
      bids: [
        {
          id: 9n,
          buyer: addr(9),
          hardwareClass: 7,
          acceptableRegions: 1n << 2n,
          buyerRegion: 2,
          earliestStart: NOW + HOUR,
          latestEnd: NOW + 3 * HOUR,
          durationHours: 2,
          vcu: 5,
          remainingVcu: 5,
          start: 0,
          limitPricePerVcuHour: 3_000_000n,
          minGreenBps: 0,
          certificateOrigin: 1,
          bandwidthMbps: 0n,
          maxLatencyMs: 0,
          expiry: NOW + 3 * HOUR,
        },
      ],
      computeOffers: [
        ...smallBook.computeOffers,
        { ...smallBook.computeOffers[0], id: 11n, hardwareClass: 7 },
        { ...smallBook.computeOffers[0], id: 12n, region: 77, reservePricePerVcuHour: 1n },
      ],
      energyOffers: [
        ...smallBook.energyOffers,
        { ...smallBook.energyOffers[0], id: 13n, source: 9, reservePricePerKwh: 1n },
      ],
      bandwidthOffers: [...smallBook.bandwidthOffers, { ...smallBook.bandwidthOffers[0], id: 14n, fromRegion: 99 }],
    };
    const raw = await startTestServer({
      clock: () => NOW,
      platformFeeBps: FEE_BPS,
      book: { openBook: async () => poisoned },
    });
    const clean = await startTestServer({ clock: () => NOW, platformFeeBps: FEE_BPS });
    clean.book.replace(smallBook);
    try {
      const both = { ...localBid, acceptableRegions: ["yangtze-delta", "beijing-tianjin-hebei"], bandwidthMbps: 10 };
      for (const body of [localBid, both]) {
        const q = await quote(raw, body);
        assert.equal(q.outcome, "priced");
        assert.deepEqual(q, await quote(clean, body));
      }
    } finally {
      await raw.close();
      await clean.close();
    }
  });

  it("answers 503 when the book source fails", async () => {
    const down = await startTestServer({ book: { openBook: () => Promise.reject(new Error("down")) } });
    try {
      const res = await postJson(`${down.url}/api/quote`, localBid);
      assert.equal(res.status, 503);
      assert.equal((await problemOf(res)).type, "/problems/unavailable");
    } finally {
      await down.close();
    }
  });
});
