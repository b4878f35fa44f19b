// The fast scheduler's budget (fast.ts FastBudget): the market's by default, and larger ones that
// scripts/bench/schedule-ceiling.ts uses to show what more time buys — each still a schedule the
// contract accepts whole.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkSchedule } from "../../../../backend/pricing/schedule/check.ts";
import { type FastBudget, MARKET_BUDGET, scheduleFast } from "../../../../backend/pricing/schedule/fast.ts";
import type { TimedBook } from "../../../../backend/pricing/schedule/types.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "./fixtures/books.ts";

const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };

function valid(book: TimedBook, budget: FastBudget) {
  const result = scheduleFast(book, rules, budget);
  const check = checkSchedule(book, result.matches, rules);
  assert.deepEqual(
    check.violations.filter((v) => v !== undefined),
    [],
  );
  assert.ok(Math.abs(check.welfare - result.welfare) <= 1e-6 * Math.abs(result.welfare));
  return result;
}

describe("the fast scheduler's budget", () => {
  it("is the market's unless one is given", () => {
    const book = randomTimeBook({ orders: 1_000, seed: 3, flexibleShare: 0.5 });
    const { matches, welfare } = scheduleFast(book, rules);
    const given = scheduleFast(book, rules, MARKET_BUDGET);
    assert.deepEqual([given.matches, given.welfare], [matches, welfare]);
    const fewerMoves = scheduleFast(book, rules, { ...MARKET_BUDGET, largeBookBids: 100 });
    assert.notDeepEqual(fewerMoves.matches, matches);
  });

  it("runs a book as a large one below its size: passes 5–6 instead of pass 4, another valid schedule", () => {
    const book = randomTimeBook({ orders: 3_000, seed: 2, flexibleShare: 0.5 });
    const asMidSize = valid(book, MARKET_BUDGET);
    const asLarge = valid(book, { ...MARKET_BUDGET, largeBookBids: 500 });
    assert.notEqual(asLarge.welfare, asMidSize.welfare);
  });

  it("keeps a re-insertion move only when it pays: more moves never lose welfare", () => {
    const book = randomTimeBook({ orders: 8_000, seed: 1, flexibleShare: 0 });
    const welfare = [0, 100, 400].map(
      (moves) => valid(book, { ...MARKET_BUDGET, largeLocalSearchMoves: moves }).welfare,
    );
    assert.ok(welfare[0] <= welfare[1] && welfare[1] <= welfare[2], `welfare by moves: ${welfare.join(", ")}`);
    assert.ok(welfare[2] > welfare[0], "400 moves gained nothing over none");
  });
});
