// Whether this tree's fast scheduler gives exactly the schedule of another tree's (a speed change
// must not change a fill): the whole result — every match, its payments and energy lots, and the
// welfare to the unit — on seeded books, fixed and flexible, compared as canonical JSON. Exits 1 on
// the first difference, naming the book and the first match that differs. The other tree is a
// checkout with node_modules (e.g. `git worktree add /tmp/ccex-main main`, node_modules copied or linked).
//
//   node scripts/bench/schedule-same.ts /tmp/ccex-main               1k, 5k, 20k orders; fixed, ¼ and ½ flexible
//   node scripts/bench/schedule-same.ts /tmp/ccex-main --orders 100000 --flexible 0,0.5 --seeds 1

import { createHash } from "node:crypto";
import path from "node:path";
import { scheduleFast } from "../../backend/pricing/schedule/fast.ts";
import type { ScheduleResult } from "../../backend/pricing/schedule/types.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "../../test/backend/pricing/schedule/fixtures/books.ts";

const argument = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
};
const baseline = process.argv[2];
if (baseline === undefined || baseline.startsWith("--"))
  throw new Error("usage: schedule-same.ts BASELINE_TREE [--orders 1000,5000] [--flexible 0,0.5] [--seeds 1,2]");
const sizes = argument("--orders", "1000,5000,20000").split(",").map(Number);
const shares = argument("--flexible", "0,0.25,0.5").split(",").map(Number);
const seeds = argument("--seeds", "1,2").split(",").map(Number);
const theirs: typeof scheduleFast = (await import(path.resolve(baseline, "backend/pricing/schedule/fast.ts")))
  .scheduleFast;
const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };

/** The result without its timing, bigints as strings: one line per match. */
const canonical = (r: ScheduleResult): string[] => [
  `welfare ${r.welfare}`,
  ...r.matches.map((m) => JSON.stringify(m, (_, v) => (typeof v === "bigint" ? v.toString() : v))),
];

let differ = 0;
for (const orders of sizes)
  for (const flexibleShare of shares)
    for (const seed of seeds) {
      const book = randomTimeBook({ orders, seed, flexibleShare });
      const mine = canonical(scheduleFast(book, rules));
      const base = canonical(theirs(book, rules));
      const first = mine.findIndex((line, i) => line !== base[i]);
      const same = first < 0 && mine.length === base.length;
      const digest = createHash("sha256").update(mine.join("\n")).digest("hex").slice(0, 16);
      const where = same ? "" : ` first difference at line ${first < 0 ? Math.min(mine.length, base.length) : first}`;
      console.log(
        `${orders} orders, ${flexibleShare} flexible, seed ${seed}: ${mine.length - 1} matches, ${mine[0]}, ` +
          `sha256 ${digest} ${same ? "same" : `DIFFERENT (baseline ${base.length - 1} matches, ${base[0]};${where})`}`,
      );
      if (!same) differ++;
    }
if (differ > 0) {
  console.error(`${differ} book(s) scheduled differently from ${baseline}`);
  process.exit(1);
}
