import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scheduleBlockBound, scheduleWelfareBound } from "../../../../backend/pricing/schedule/bound.ts";
import { scheduleExact, scheduleLpBound } from "../../../../backend/pricing/schedule/exact.ts";
import { scheduleFast } from "../../../../backend/pricing/schedule/fast.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "./fixtures/books.ts";

const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };
const SEEDS = [1, 2, 3, 4, 5, 7, 8, 9, 10, 12];

describe("the block-decomposed LP bound", () => {
  it("is never below the MIP optimum or the fast schedule, whole or cut into many blocks, with either model", () => {
    for (const flexibleShare of [0, 0.5]) {
      for (const seed of SEEDS) {
        const book = randomTimeBook({ orders: 60, seed, flexibleShare });
        const exact = scheduleExact(book, { ...rules, timeLimitSeconds: 30 });
        const fast = scheduleFast(book, rules);
        // Every value of L the steps see is a bound, not only the smallest, which is returned.
        const values: number[] = [];
        const lagrangian = scheduleWelfareBound(book, rules, { onStep: (_, value) => values.push(value) });
        assert.equal(lagrangian.bound, Math.min(...values));
        assert.equal(values.length, lagrangian.iterations);
        for (const model of ["pooled", "exact"] as const) {
          for (const blockBids of [2, 1_000]) {
            const block = scheduleBlockBound(book, rules, { blockBids, model });
            const at = `flexible ${flexibleShare}, seed ${seed}, ${model} model, blocks of ${blockBids}`;
            assert.ok(block.optimal, `${at}: a block's LP was not solved`);
            if (blockBids === 2) assert.ok(block.blocks >= 3, `${at}: only ${block.blocks} blocks`);
            assert.ok(block.bound >= fast.welfare, `${at}: bound ${block.bound} below the fast ${fast.welfare}`);
            assert.ok(block.bound >= exact.welfare, `${at}: bound ${block.bound} below the exact ${exact.welfare}`);
            // HiGHS's proven MIP bound is within its 1e-6 gap of the optimum.
            if (exact.status === "optimal" && exact.upperBound !== undefined)
              assert.ok(
                block.bound >= exact.upperBound * (1 - 2e-6),
                `${at}: bound ${block.bound} < MIP ${exact.upperBound}`,
              );
          }
        }
        assert.ok(
          lagrangian.bound >= fast.welfare,
          `flexible ${flexibleShare}, seed ${seed}: Lagrangian below the fast`,
        );
        if (exact.status === "optimal" && exact.upperBound !== undefined)
          assert.ok(
            lagrangian.bound >= exact.upperBound * (1 - 2e-6),
            `flexible ${flexibleShare}, seed ${seed}: Lagrangian ${lagrangian.bound} < MIP ${exact.upperBound}`,
          );
      }
    }
  });

  it("with the exact model is never below the LP of the whole book", () => {
    for (const seed of [1, 2, 3]) {
      const book = randomTimeBook({ orders: 60, seed, flexibleShare: 0.5 });
      const block = scheduleBlockBound(book, rules, { blockBids: 2, model: "exact" });
      const lp = scheduleLpBound(book, { ...rules, timeLimitSeconds: 30 });
      assert.ok(lp.optimal && block.optimal);
      assert.ok(block.bound >= lp.bound * (1 - 1e-7), `seed ${seed}: bound ${block.bound} below the LP ${lp.bound}`);
    }
  });

  it("with the pooled model closes the exact LP's gap on a flexible book: within 0.01 % of the MIP optimum where the exact LP is 15 % above", () => {
    const book = randomTimeBook({ orders: 60, seed: 1, flexibleShare: 0.5 });
    const exact = scheduleExact(book, { ...rules, timeLimitSeconds: 30 });
    assert.ok(exact.status === "optimal" && exact.upperBound !== undefined);
    const lp = scheduleLpBound(book, { ...rules, timeLimitSeconds: 30 });
    const pooled = scheduleBlockBound(book, rules, { blockBids: 1_000 });
    assert.ok(lp.bound > exact.upperBound * 1.1, `exact LP ${lp.bound} vs MIP ${exact.upperBound}`);
    assert.ok(pooled.bound <= exact.upperBound * 1.0001, `pooled LP ${pooled.bound} vs MIP ${exact.upperBound}`);
  });

  it("matches the LP of the whole book within 0.1 % on a 400-order book, the Lagrangian bound within 0.5 % of it", () => {
    const book = randomTimeBook({ orders: 400, seed: 1, flexibleShare: 0 });
    const block = scheduleBlockBound(book, rules, { blockBids: 90 });
    assert.ok(block.optimal && block.blocks >= 2 && block.sharedCapacities > 0, JSON.stringify(block));
    const lp = scheduleLpBound(book, { ...rules, timeLimitSeconds: 120 });
    assert.ok(lp.optimal);
    assert.ok(block.bound <= lp.bound * 1.001, `block ${block.bound} vs LP ${lp.bound}`);
    const lagrangian = scheduleWelfareBound(book, rules);
    // Before the Lagrangian kept the links' windows and paid a route's fee once per job it was 10 % above;
    // after, with Polyak steps 2 %, with level steps of equal length per price 0.6 %, scaled by capacity 0.3 %.
    assert.ok(lagrangian.bound <= block.bound * 1.005, `block ${block.bound} vs Lagrangian ${lagrangian.bound}`);
  });

  it("tightens the Lagrangian bound with its level steps: 300 steps end ≥ 0.4 % below 150 and 1.2 % below 50 on a flexible 2,000-order book", () => {
    const book = randomTimeBook({ orders: 2_000, seed: 1, flexibleShare: 0.5 });
    const fast = scheduleFast(book, rules);
    const [few, some, all] = [50, 150, 300].map((iterations) => scheduleWelfareBound(book, rules, { iterations }));
    assert.ok(all.bound >= fast.welfare, `bound ${all.bound} below the fast ${fast.welfare}`);
    assert.ok(all.bound <= some.bound * 0.996, `300 steps ${all.bound} vs 150 steps ${some.bound}`);
    assert.ok(all.bound <= few.bound * 0.988, `300 steps ${all.bound} vs 50 steps ${few.bound}`);
  });
});
