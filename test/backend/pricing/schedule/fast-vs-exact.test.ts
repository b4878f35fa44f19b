import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scheduleWelfareBound } from "../../../../backend/pricing/schedule/bound.ts";
import { checkSchedule } from "../../../../backend/pricing/schedule/check.ts";
import { scheduleExact, scheduleLpBound } from "../../../../backend/pricing/schedule/exact.ts";
import { scheduleFast } from "../../../../backend/pricing/schedule/fast.ts";
import type { ScheduleResult, TimedBook } from "../../../../backend/pricing/schedule/types.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "./fixtures/books.ts";

const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };

function assertAllSettle(book: TimedBook, result: ScheduleResult): void {
  const check = checkSchedule(book, result.matches, rules);
  const broken = check.violations.map((v, i) => [i, v]).filter(([, v]) => v !== undefined);
  assert.deepEqual(broken, [], `${result.algorithm} proposed matches the contract would skip`);
  assert.ok(Math.abs(check.welfare - result.welfare) <= 1e-6 * Math.max(1, check.welfare), "welfare is the checker's");
  const pairs = result.matches.map((m) => `${m.bidId}:${m.computeOfferId}`);
  assert.equal(new Set(pairs).size, pairs.length, `${result.algorithm} split a bundle over two matches`);
}

describe("the fast scheduler against the HiGHS MIP on small seeded books", () => {
  const seeds = [1, 2, 3, 4, 5, 7, 8, 9, 10];
  const solve = (flexibleShare: number) =>
    seeds.map((seed) => {
      const book = randomTimeBook({ orders: 60, seed, flexibleShare });
      const fast = scheduleFast(book, rules);
      const exact = scheduleExact(book, { ...rules, timeLimitSeconds: 30 });
      assertAllSettle(book, fast);
      assertAllSettle(book, exact);
      assert.equal(exact.status, "optimal");
      assert.ok(exact.upperBound !== undefined && exact.welfare <= exact.upperBound * (1 + 1e-6) + 1);
      return { seed, ratio: fast.welfare / exact.upperBound };
    });

  it("reaches ≥ 0.995 of the proven optimum on every fixed-window book, and no match breaks a rule", () => {
    for (const { seed, ratio } of solve(0)) assert.ok(ratio >= 0.995, `seed ${seed}: ${ratio.toFixed(4)}`);
  });

  it("reaches ≥ 0.995 of the proven optimum on every flexible book (seed 1 needs pass 4's re-insertion)", () => {
    for (const { seed, ratio } of solve(0.5)) assert.ok(ratio >= 0.995, `seed ${seed}: ${ratio.toFixed(4)}`);
  });

  it("is never beaten by the Lagrangian bound, which stays within a few % of the MIP", () => {
    for (const seed of [2, 3, 4]) {
      const book = randomTimeBook({ orders: 60, seed });
      const fast = scheduleFast(book, rules);
      const exact = scheduleExact(book, { ...rules, timeLimitSeconds: 30 });
      const { bound } = scheduleWelfareBound(book, rules);
      assert.ok(bound >= exact.welfare * (1 - 1e-9), `seed ${seed}: bound ${bound} below the optimum ${exact.welfare}`);
      assert.ok(bound >= fast.welfare, `seed ${seed}: bound ${bound} below the fast ${fast.welfare}`);
      assert.ok(bound <= (exact.upperBound ?? 0) * 1.05, `seed ${seed}: bound ${bound} vs MIP ${exact.upperBound}`);
    }
  });

  it("bounds the MIP optimum from above with its LP relaxation, which the fast schedule never beats", () => {
    for (const seed of [2, 3]) {
      const book = randomTimeBook({ orders: 60, seed, flexibleShare: 0 });
      const fast = scheduleFast(book, rules);
      const exact = scheduleExact(book, { ...rules, timeLimitSeconds: 30 });
      const lp = scheduleLpBound(book, { ...rules, timeLimitSeconds: 30 });
      assert.ok(lp.optimal, `seed ${seed}: the LP was not solved`);
      assert.ok(
        lp.bound >= exact.welfare * (1 - 1e-9),
        `seed ${seed}: LP ${lp.bound} below the optimum ${exact.welfare}`,
      );
      assert.ok(lp.bound >= fast.welfare * (1 - 1e-9), `seed ${seed}: LP ${lp.bound} below the fast ${fast.welfare}`);
    }
  });
});
