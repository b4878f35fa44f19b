import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { bookFor } from "../../../backend/api/book-index.ts";
import { presentMatch } from "../../../backend/api/present.ts";
import { bidOf, presentBundle, quoteBid } from "../../../backend/api/quote.ts";
import { readQuoteRequest } from "../../../backend/api/schemas/quote.ts";
import { type BundleProposal, clearBook, priceBundles } from "../../../backend/pricing/index.ts";
import { toProposedMatch } from "../../../backend/proposals/explain.ts";
import { marketBook } from "./market-book.ts";
import { quoteBodies } from "./quote-bodies.ts";

const NOW = 1_893_456_000 + 1_800;
const FEE_BPS = 30;

/** A bundle as the matcher's proposals show it (proposals/explain.ts, api/present.ts), without the quoted bid's id. */
function asProposal(p: BundleProposal) {
  const { bidId: _quoted, ...bundle } = presentMatch(toProposedMatch(p));
  return bundle;
}

describe("a quote's bundles", () => {
  const open = marketBook({ now: NOW });
  const context = { now: NOW, platformFeeBps: FEE_BPS };

  it("are the matcher's proposals of the same bundles, key for key, with region, fee and fee share", () => {
    let priced = 0;
    for (const body of quoteBodies({ now: NOW, count: 240 })) {
      const request = readQuoteRequest(JSON.parse(body));
      const quote = quoteBid(request, open, context);
      if (quote.outcome !== "priced") continue;
      priced++;
      const book = bookFor(bidOf(request, NOW), open);
      const proposals = priceBundles(book, clearBook(book, context).matches, context);
      assert.equal(quote.bundles.length, proposals.length);
      proposals.forEach((p, i) => {
        const { region, fee, feeShareBps, ...bundle } = quote.bundles[i];
        // JSON text, so the keys' order counts too.
        assert.equal(JSON.stringify(bundle), JSON.stringify(asProposal(p)));
        assert.equal(fee, String(p.fee));
        assert.equal(feeShareBps, Math.round(p.feeShareBps));
        assert.match(region, /^[a-z]/);
      });
    }
    assert.ok(priced >= 100, `only ${priced} of 240 bodies priced`);
  });

  it("show an outside option beyond 2^53 in whole digits, as the matcher's proposals do", () => {
    const body = quoteBodies({ now: NOW, count: 240 }).find(
      (b) => quoteBid(readQuoteRequest(JSON.parse(b)), open, context).outcome === "priced",
    );
    assert.ok(body !== undefined);
    const request = readQuoteRequest(JSON.parse(body));
    const book = bookFor(bidOf(request, NOW), open);
    const [p] = priceBundles(book, clearBook(book, context).matches, context);
    const huge: BundleProposal = {
      ...p,
      disagreementBasis: "reserves",
      parties: p.parties.map((party, i) => (i === 1 ? { ...party, disagreement: 2 ** 60 + 2 ** 8 } : party)),
    };
    const { region: _region, fee: _fee, feeShareBps: _share, ...shown } = presentBundle(huge, open);
    // String(2 ** 60 + 2 ** 8) would read "1152921504606847200".
    assert.equal(shown.parties[1].disagreement, "1152921504606847232");
    assert.equal(JSON.stringify(shown), JSON.stringify(asProposal(huge)));
  });
});
