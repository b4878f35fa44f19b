import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bookPasses } from "../../../../backend/pricing/schedule/fast.ts";
import { REROUTE_CHECKS_PER_BID } from "../../../../backend/pricing/schedule/place.ts";

// Which optional passes the fast scheduler runs by the book's size and flexible share
// (docs/pricing.md, "The fast scheduler"): the 100k-order books have 45,000 live bids.
describe("the passes a book gets", () => {
  it("reroutes a large book of fixed jobs at one check per bid, in place of the fixed bids' second try", () => {
    assert.deepEqual(bookPasses(45_000, 0, true), { reroute: true, checks: 1, retryFixed: false, moveHolders: false });
    // Under a quarter flexible: the same, and pass 5 has flexible holders to move.
    assert.deepEqual(bookPasses(45_000, 11_000, true), {
      reroute: true,
      checks: 1,
      retryFixed: false,
      moveHolders: true,
    });
  });

  it("keeps the fixed bids' second try on large books at least a quarter flexible and on books up to 20,000 bids", () => {
    assert.deepEqual(bookPasses(45_000, 22_500, true), {
      reroute: true,
      checks: 1,
      retryFixed: true,
      moveHolders: true,
    });
    assert.equal(bookPasses(45_000, 11_250, true).retryFixed, true);
    assert.deepEqual(bookPasses(20_000, 0, true), {
      reroute: true,
      checks: REROUTE_CHECKS_PER_BID,
      retryFixed: true,
      moveHolders: false,
    });
  });

  it("reroutes nothing for a lone bid (a quote)", () => {
    assert.equal(bookPasses(1, 0, false).reroute, false);
    assert.equal(bookPasses(1, 0, false).moveHolders, false);
  });
});
