import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scheduleBlockBound, scheduleWelfareBound } from "../../../../backend/pricing/schedule/bound.ts";
import { scheduleExact, scheduleLpBound } from "../../../../backend/pricing/schedule/exact.ts";
import { scheduleFast } from "../../../../backend/pricing/schedule/fast.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "./fixtures/books.ts";

const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };

describe("the block-decomposed LP bound", () => {
  it("is never below the MIP optimum, the LP of the whole book or the fast schedule, on books cut into many blocks", () => {
    for (const flexibleShare of [0, 0.5]) {
      for (const seed of [1, 2, 3, 4, 5, 8, 9, 12]) {
        const book = randomTimeBook({ orders: 60, seed, flexibleShare });
        const block = scheduleBlockBound(book, rules, { blockBids: 2 });
        const at = `flexible ${flexibleShare}, seed ${seed}`;
        assert.ok(block.optimal, `${at}: a block's LP was not solved`);
        assert.ok(block.blocks >= 3, `${at}: only ${block.blocks} blocks`);
        const exact = scheduleExact(book, { ...rules, timeLimitSeconds: 30 });
        const lp = scheduleLpBound(book, { ...rules, timeLimitSeconds: 30 });
        const fast = scheduleFast(book, rules);
        assert.ok(block.bound >= fast.welfare, `${at}: bound ${block.bound} below the fast ${fast.welfare}`);
        assert.ok(block.bound >= exact.welfare, `${at}: bound ${block.bound} below the exact ${exact.welfare}`);
        // HiGHS's proven MIP bound is within its 1e-6 gap of the optimum.
        if (exact.status === "optimal" && exact.upperBound !== undefined)
          assert.ok(
            block.bound >= exact.upperBound * (1 - 2e-6),
            `${at}: bound ${block.bound} < MIP ${exact.upperBound}`,
          );
        assert.ok(lp.optimal, `${at}: the LP was not solved`);
        assert.ok(block.bound >= lp.bound * (1 - 1e-7), `${at}: bound ${block.bound} below the LP ${lp.bound}`);
      }
    }
  });

  it("matches the LP of the whole book within 0.1 % and beats the Lagrangian bound on a 400-order book", () => {
    const book = randomTimeBook({ orders: 400, seed: 1, flexibleShare: 0 });
    const block = scheduleBlockBound(book, rules, { blockBids: 90 });
    assert.ok(block.optimal && block.blocks >= 2 && block.sharedCapacities > 0, JSON.stringify(block));
    const lp = scheduleLpBound(book, { ...rules, timeLimitSeconds: 120 });
    assert.ok(lp.optimal);
    assert.ok(block.bound >= lp.bound * (1 - 1e-7), `block ${block.bound} below the LP ${lp.bound}`);
    assert.ok(block.bound <= lp.bound * 1.001, `block ${block.bound} vs LP ${lp.bound}`);
    const fast = scheduleFast(book, rules);
    const lagrangian = scheduleWelfareBound(book, rules, fast.welfare);
    assert.ok(block.bound < lagrangian.bound * 0.97, `block ${block.bound} vs Lagrangian ${lagrangian.bound}`);
  });
});
