// Where the fast scheduler stands on mid-size books (docs/pricing.md, "Scheduling in hours"): its
// welfare over the LP relaxation of the exact model (HiGHS) on seeded fixed-window books of 1k–5k
// orders, where that bound is solved in seconds and is far tighter than the Lagrangian one of the
// 100k rows of bench:clearing. Every schedule is checked against the contract's rules.
//
//   node scripts/bench/schedule-gap.ts                          1,000, 2,000, 3,000 and 5,000 orders
//   node scripts/bench/schedule-gap.ts --orders 1000,2000 --seed 2
//
// Prints one JSON line per book: fastMs, cpuMs, lpRatio, violations and the load average.

import os from "node:os";
import { checkSchedule } from "../../backend/pricing/schedule/check.ts";
import { scheduleLpBound } from "../../backend/pricing/schedule/exact.ts";
import { scheduleFast } from "../../backend/pricing/schedule/fast.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "../../test/backend/pricing/schedule/fixtures/books.ts";

const argument = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
};
const sizes = argument("--orders", "1000,2000,3000,5000").split(",").map(Number);
const seed = Number(argument("--seed", "1"));
if (sizes.some((n) => !Number.isInteger(n) || n < 10) || !Number.isInteger(seed))
  throw new Error("--orders takes whole numbers of orders ≥ 10 separated by commas, --seed a whole number");
const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };

for (const orders of sizes) {
  const book = randomTimeBook({ orders, seed, flexibleShare: 0 });
  const cpu = process.cpuUsage();
  const fast = scheduleFast(book, rules);
  const cpuMs = process.cpuUsage(cpu).user / 1000;
  const violations = checkSchedule(book, fast.matches, rules).violations.filter((v) => v !== undefined).length;
  const lp = scheduleLpBound(book, { ...rules, timeLimitSeconds: 300 });
  console.log(
    JSON.stringify({
      orders,
      seed,
      bids: book.bids.length,
      fastMs: Math.round(fast.elapsedMs),
      cpuMs: Math.round(cpuMs),
      lpRatio: lp.optimal ? Number((fast.welfare / lp.bound).toFixed(4)) : null,
      lpMs: Math.round(lp.elapsedMs),
      violations,
      loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    }),
  );
}
