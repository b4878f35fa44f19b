// Where the fast scheduler stands on mid-size books (docs/pricing.md, "Scheduling in hours"): its
// welfare over the pooled LP relaxation of the whole book (schedule/pooled-lp.ts, solved by HiGHS)
// on seeded books of 1k–5k orders, where that bound is solved in seconds (fixed windows) and is far
// tighter than the Lagrangian one. Every schedule is checked against the contract's rules.
//
//   node scripts/bench/schedule-gap.ts                          1,000, 2,000, 3,000 and 5,000 orders
//   node scripts/bench/schedule-gap.ts --orders 1000,2000 --seed 2
//   node scripts/bench/schedule-gap.ts --orders 400 --flexible 0.5   half of the bids flexible in 24 h
//
// Prints one JSON line per book: fastMs, cpuMs, lpRatio (null when the LP is not solved in 300 s),
// the Lagrangian ratio, violations and the load average.

import os from "node:os";
import { scheduleBlockBound, scheduleWelfareBound } from "../../backend/pricing/schedule/bound.ts";
import { checkSchedule } from "../../backend/pricing/schedule/check.ts";
import { scheduleFast } from "../../backend/pricing/schedule/fast.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "../../test/backend/pricing/schedule/fixtures/books.ts";

const argument = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
};
const sizes = argument("--orders", "1000,2000,3000,5000").split(",").map(Number);
const seed = Number(argument("--seed", "1"));
const flexibleShare = Number(argument("--flexible", "0"));
if (sizes.some((n) => !Number.isInteger(n) || n < 10) || !Number.isInteger(seed))
  throw new Error("--orders takes whole numbers of orders ≥ 10 separated by commas, --seed a whole number");
if (!(flexibleShare >= 0 && flexibleShare <= 1)) throw new Error("--flexible takes a share of the bids in [0, 1]");
const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };

for (const orders of sizes) {
  const book = randomTimeBook({ orders, seed, flexibleShare });
  const cpu = process.cpuUsage();
  const fast = scheduleFast(book, rules);
  const cpuMs = process.cpuUsage(cpu).user / 1000;
  const violations = checkSchedule(book, fast.matches, rules).violations.filter((v) => v !== undefined).length;
  const lp = scheduleBlockBound(book, rules, { blockBids: Number.MAX_SAFE_INTEGER, timeLimitSeconds: 300 });
  const lagrangian = scheduleWelfareBound(book, rules);
  console.log(
    JSON.stringify({
      orders,
      seed,
      flexibleShare,
      bids: book.bids.length,
      fastMs: Math.round(fast.elapsedMs),
      cpuMs: Math.round(cpuMs),
      lpRatio: lp.optimal ? Number((fast.welfare / lp.bound).toFixed(4)) : null,
      lpMs: Math.round(lp.elapsedMs),
      lagrangianRatio: Number((fast.welfare / lagrangian.bound).toFixed(4)),
      lagrangianMs: Math.round(lagrangian.elapsedMs),
      violations,
      loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    }),
  );
}
