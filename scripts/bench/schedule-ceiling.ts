// How much welfare more time buys the fast scheduler on the 100k books of `npm run bench:clearing`
// (seed 1): the market's budget, then ever larger ones — the passes that stop at 20,000 bids run
// on the whole book (certificate rerouting at full checks, pass 4's re-insertion moves, certificate
// prices, the second order), with more moves each step. Prints welfare, its ratio to the book's
// best bound (the block LP, fixed; the Lagrangian, half flexible; docs/pricing.md) and the CPU of
// one schedule, with the load average. A few minutes in all; the largest steps take a minute each.
//
//   node scripts/bench/schedule-ceiling.ts [--flexible 0,0.5] [--json]

import os from "node:os";
import { parseArgs } from "node:util";
import { type FastBudget, MARKET_BUDGET, scheduleFast } from "../../backend/pricing/schedule/fast.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "../../test/backend/pricing/schedule/fixtures/books.ts";
import { recordedBound } from "./recorded-bounds.ts";

const { values: args } = parseArgs({
  options: {
    flexible: { type: "string", default: "0,0.5" },
    json: { type: "boolean", default: false },
  },
});
const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };

/** The whole book as a mid-size one: rerouting at full checks, pass 4, no passes 5–6. */
const whole = (moves: number, extra: Partial<FastBudget> = {}): FastBudget => ({
  ...MARKET_BUDGET,
  largeBookBids: Number.POSITIVE_INFINITY,
  largeLocalSearchMoves: moves,
  ...extra,
});
const everything = { certificatePriceBids: Number.POSITIVE_INFINITY, secondOrderBids: Number.POSITIVE_INFINITY };

const LADDERS: Record<string, [string, FastBudget][]> = {
  "0": [
    ["market", MARKET_BUDGET],
    ["whole book, 250 moves", whole(250)],
    ["+ prices and second order", whole(250, everything)],
    ["+ 2,000 moves", whole(2_000, everything)],
    ["+ 8,000 moves", whole(8_000, everything)],
    ["+ 30,000 moves", whole(30_000, everything)],
  ],
  "0.5": [
    ["market", MARKET_BUDGET],
    [
      "passes 5–6 ×10",
      {
        ...MARKET_BUDGET,
        greenHolderMoves: { ...MARKET_BUDGET.greenHolderMoves, tries: 6_000 },
        replaced: { bids: 10_000, starts: 8 },
      },
    ],
    ["whole book, 4,000 moves", whole(4_000)],
    ["+ second order, 20,000 moves", whole(20_000, { secondOrderBids: Number.POSITIVE_INFINITY })],
  ],
};

const rows: Record<string, unknown>[] = [];
for (const share of args.flexible.split(",")) {
  const ladder = LADDERS[share];
  if (!ladder) throw new Error(`--flexible ${share}: the ladders are for 0 and 0.5`);
  const book = randomTimeBook({ orders: 100_000, seed: 1, flexibleShare: Number(share) });
  for (const [step, budget] of ladder) {
    const load = os.loadavg()[0];
    const before = process.cpuUsage();
    const { welfare } = scheduleFast(book, rules, budget);
    const used = process.cpuUsage(before);
    const row = {
      book: share === "0" ? "100000" : "flexible100000",
      budget: step,
      welfare: Math.round(welfare),
      welfareRatio: Number((welfare / recordedBound(100_000, Number(share))!).toFixed(5)),
      cpuMs: Math.round((used.user + used.system) / 1000),
      loadAverage: Number(((load + os.loadavg()[0]) / 2).toFixed(2)),
    };
    rows.push(row);
    if (!args.json) console.log(row);
  }
}
if (args.json) console.log(JSON.stringify(rows));
