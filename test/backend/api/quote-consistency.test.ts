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

const NOW = 1_900_000_000;
const FEE_BPS = 30;
const HOUR = 3_600;

/** The bundles the matcher's own clearing and pricing give the bid of `body`, alone on `book`. */
function matcherBundles(book: OpenBook, body: string, now: number) {
  const bid = bidOf(QuoteRequest.parse(JSON.parse(body)));
  const { proposed, unpriced } = clearAndPrice(
    { ...admitBook(book).book, bids: [bid] },
    { now, platformFeeBps: FEE_BPS },
  );
  assert.deepEqual(unpriced, []);
  return proposed.map((p) => ({
    computeOfferId: String(p.match.computeOfferId),
    vcuHours: String(p.match.vcuHours),
    computePayment: String(p.match.computePayment),
    energyLots: p.match.energyLots.map((l) => ({
      offerId: String(l.offerId),
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
    vcuHours: b.vcuHours,
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

  it("give the same answer to a body zod reads as to its plain form, and both the matcher's", async () => {
    // A time with an offset is left to zod (backend/api/schemas/quote.ts, parsePlainQuoteRequest);
    // the same instant as unix seconds is read plainly.
    const atOffset = (unix: number) => new Date((unix + 8 * HOUR) * 1000).toISOString().replace(".000Z", "+08:00");
    let compared = 0;
    for (const body of quoteBodies({ now: NOW, count: 40, seed: 14 })) {
      const plain = JSON.parse(body) as { window: { start: number | string; end: number | string } };
      if (typeof plain.window.start !== "number" || typeof plain.window.end !== "number") continue;
      const offset = { ...plain, window: { start: atOffset(plain.window.start), end: plain.window.end } };
      const viaZod = await quote(JSON.stringify(offset));
      assert.deepEqual(viaZod, await quote(body), JSON.stringify(offset));
      if (viaZod.outcome === "priced") assert.deepEqual(quotedBundles(viaZod), matcherBundles(book, body, NOW));
      compared++;
    }
    assert.ok(compared >= 20, `enough bodies compared (${compared})`);
  });

  it("see a replaced book on the very next quote", async () => {
    const [body] = quoteBodies({ now: NOW, count: 200, seed: 12 }).filter((b) => {
      const q = JSON.parse(b) as { minGreenBps: number; bandwidthMbps?: string };
      return q.minGreenBps === 0 && q.bandwidthMbps === undefined;
    });
    const before = await quote(body);
    assert.equal(before.outcome, "priced", body);
    // Every compute offer the quote used fills up: the next quote must do without them.
    const used = new Set(before.bundles.map((b) => BigInt(b.computeOfferId)));
    const changed: OpenBook = {
      ...book,
      computeOffers: book.computeOffers.map((o) => (used.has(o.id) ? { ...o, filled: o.vcuHours } : o)),
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

  it("drop an offer the moment it expires, on the same book", async () => {
    const [body] = quoteBodies({ now: NOW, count: 200, seed: 13 }).filter((b) => {
      const q = JSON.parse(b) as { window: { start: number | string } };
      return typeof q.window.start === "number" && q.window.start > NOW + 30 * HOUR;
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
