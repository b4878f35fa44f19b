// Quotes reuse what they prepare per book version (backend/api/book-index.ts, backend/pricing's
// per-list caches); these tests hold them to the matcher's answer and to the book they are asked on.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { bidOf } from "../../../backend/api/quote.ts";
import { QuoteRequest } from "../../../backend/api/schemas/quote.ts";
import { admitBook } from "../../../backend/book/admit.ts";
import type { OpenBook } from "../../../backend/book/book-source.ts";
import { clearAndPrice } from "../../../backend/matcher/price-batch.ts";
import type { QuoteResponse } from "../../../protocol/api.ts";
import { marketBook } from "./market-book.ts";
import { quoteBodies } from "./quote-bodies.ts";
import { postJson, startTestServer, type TestServer } from "./server.ts";

const NOW = 1_900_000_800; // on the hour
const FEE_BPS = 30;
const HOUR = 3_600;

/** The bundles the matcher's own clearing and pricing give the bid of `body`, alone on `book`. */
function matcherBundles(book: OpenBook, body: string, now: number) {
  const bid = bidOf(QuoteRequest.parse(JSON.parse(body)), now);
  const { proposed, unpriced } = clearAndPrice(
    { ...admitBook(book).book, bids: [bid] },
    { now, platformFeeBps: FEE_BPS },
  );
  assert.deepEqual(unpriced, []);
  return proposed.map((p) => ({
    computeOfferId: String(p.match.computeOfferId),
    start: p.match.start,
    vcu: String(p.match.vcu),
    computePayment: String(p.match.computePayment),
    energyLots: p.match.energyLots.map((l) => ({
      offerId: String(l.offerId),
      hour: l.hour,
      wh: String(l.wh),
      payment: String(l.payment),
    })),
    bandwidthOfferId: String(p.match.bandwidthOfferId),
    bandwidthPayment: String(p.match.bandwidthPayment),
    surplus: String(p.surplus),
    parties: p.parties.map((party) => ({
      ...party,
      orderId: String(party.orderId),
      reserve: String(party.reserve),
      disagreement: String(party.disagreement),
      payment: String(party.payment),
    })),
  }));
}

/** The same fields of a quote's bundles. */
function quotedBundles(quote: QuoteResponse) {
  return quote.bundles.map((b) => ({
    computeOfferId: b.computeOfferId,
    start: b.start,
    vcu: b.vcu,
    computePayment: b.computePayment,
    energyLots: b.energyLots,
    bandwidthOfferId: b.bandwidthOfferId,
    bandwidthPayment: b.bandwidthPayment,
    surplus: b.surplus,
    parties: b.parties,
  }));
}

describe("quotes against a book they have seen before", () => {
  let srv: TestServer;
  let clock = NOW;
  const book = marketBook({ now: NOW });

  before(async () => {
    srv = await startTestServer({ clock: () => clock, platformFeeBps: FEE_BPS });
    srv.book.replace(book);
  });
  after(() => srv.close());

  async function quote(body: string): Promise<QuoteResponse> {
    const res = await postJson(`${srv.url}/api/quote`, body);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as QuoteResponse;
  }

  it("give, asked twice, the bundles and payments the matcher computes for the same bid on the same book", async () => {
    const bodies = quoteBodies({ now: NOW, count: 80, seed: 11 });
    let priced = 0;
    for (const body of bodies) {
      const expected = matcherBundles(book, body, NOW);
      const first = await quote(body);
      const again = await quote(body);
      assert.deepEqual(again, first, "the same request on the same book version gives the same answer");
      if (first.outcome === "priced") {
        priced++;
        assert.deepEqual(quotedBundles(first), expected, body);
        const total = expected.reduce((s, b) => s + BigInt(b.parties.find((p) => p.role === "buyer")!.payment), 0n);
        assert.equal(first.price?.total, String(total), "the buyer pays what the matcher's parties say");
      } else {
        assert.deepEqual(expected, [], `${first.outcome} where the matcher clears: ${body}`);
      }
    }
    assert.ok(priced >= 40, `most bodies are priced (${priced} of ${bodies.length})`);
  });

  it("see a replaced book on the very next quote", async () => {
    const [body] = quoteBodies({ now: NOW, count: 200, seed: 12 }).filter((b) => {
      const q = JSON.parse(b) as { minGreenBps: number; bandwidthMbps?: string };
      return q.minGreenBps === 0 && q.bandwidthMbps === undefined;
    });
    const before = await quote(body);
    assert.equal(before.outcome, "priced", body);
    // Every compute offer the quote used sells out in every hour: the next quote must do without them.
    const used = new Set(before.bundles.map((b) => BigInt(b.computeOfferId)));
    const soldOut = (o: OpenBook["computeOffers"][number]) =>
      new Map(
        Array.from({ length: (o.windowEnd - o.windowStart) / HOUR }, (_, i) => [o.windowStart + i * HOUR, o.vcu]),
      );
    const changed: OpenBook = {
      ...book,
      computeOffers: book.computeOffers.map((o) => (used.has(o.id) ? { ...o, usedVcu: soldOut(o) } : o)),
    };
    srv.book.replace(changed);
    try {
      const after = await quote(body);
      assert.ok(
        after.bundles.every((b) => !used.has(BigInt(b.computeOfferId))),
        "no bundle on a filled offer",
      );
      assert.deepEqual(quotedBundles(after), matcherBundles(changed, body, NOW));
    } finally {
      srv.book.replace(book);
    }
    assert.deepEqual(await quote(body), before, "and the old book's answer comes back with the old book");
  });

  it("see certificate hours sold in a replaced book on the very next quote", async () => {
    // The certificate slots come from an index built once per energy-offer list
    // (backend/pricing/schedule/energy-hours.ts): a replaced book must not reuse the old one.
    const [body] = quoteBodies({ now: NOW, count: 200, seed: 14 }).filter((b) => {
      const q = JSON.parse(b) as { minGreenBps: number };
      return q.minGreenBps >= 5_000;
    });
    const before = await quote(body);
    assert.equal(before.outcome, "priced", body);
    const bought = new Map<string, Set<number>>();
    for (const b of before.bundles)
      for (const l of b.energyLots) bought.set(l.offerId, (bought.get(l.offerId) ?? new Set()).add(l.hour));
    assert.ok(bought.size > 0, "the green job buys certificates");
    // Every hour the quote bought certificates of sells out in the next book.
    const sold: OpenBook = {
      ...book,
      energyOffers: book.energyOffers.map((e) => {
        const hours = bought.get(String(e.id));
        if (hours === undefined) return e;
        return { ...e, soldWhPerHour: e.whPerHour.map((wh, k) => (hours.has(e.firstHour + k * HOUR) ? wh : 0n)) };
      }),
    };
    srv.book.replace(sold);
    try {
      const after = await quote(body);
      for (const b of after.bundles)
        for (const l of b.energyLots) assert.ok(!bought.get(l.offerId)?.has(l.hour), "no certificate of a sold hour");
      assert.deepEqual(quotedBundles(after), matcherBundles(sold, body, NOW));
    } finally {
      srv.book.replace(book);
    }
    assert.deepEqual(await quote(body), before, "and the old book's answer comes back with the old book");
  });

  it("drop an offer the moment it expires, on the same book", async () => {
    const [body] = quoteBodies({ now: NOW, count: 200, seed: 13 }).filter((b) => {
      const q = JSON.parse(b) as { earliestStart: number | string };
      return typeof q.earliestStart === "number" && q.earliestStart > NOW + 30 * HOUR;
    });
    const before = await quote(body);
    assert.equal(before.outcome, "priced", body);
    const used = new Set(before.bundles.map((b) => BigInt(b.computeOfferId)));
    const expiry = NOW + 10 * HOUR;
    const expiring: OpenBook = {
      ...book,
      computeOffers: book.computeOffers.map((o) => (used.has(o.id) ? { ...o, expiry } : o)),
    };
    srv.book.replace(expiring);
    try {
      clock = expiry - 1;
      assert.deepEqual(quotedBundles(await quote(body)), quotedBundles(before), "still open a second before");
      clock = expiry;
      const after = await quote(body);
      assert.ok(
        after.bundles.every((b) => !used.has(BigInt(b.computeOfferId))),
        "no bundle on an expired offer",
      );
      assert.deepEqual(quotedBundles(after), matcherBundles(expiring, body, expiry));
    } finally {
      clock = NOW;
      srv.book.replace(book);
    }
  });
});
