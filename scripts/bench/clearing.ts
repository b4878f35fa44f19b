// Clearing benchmark (docs/pricing.md, "Scheduling in hours"): the fast scheduler on seeded books of
// the time-matched market, measured against the best upper bound on the welfare it could reach.
//
//   npm run bench:clearing            tables
//   npm run bench:clearing -- --json  { "100000": { "fastMs", "welfareRatio", … }, "flexible100000": …, … }
//
// "100000" is an hourly book of 100k orders (bids + offers) with every bid fixed to its window, jobs
// of 1–8 h; "flexible100000" the same generator with half of the bids free to start anywhere in 24 h.
// fastMs is the median of three runs after one unmeasured (cpuMs the same runs' CPU time), and
// every batch is checked hour by hour against the contract's rules (schedule/check.ts). Their
// welfareRatio is fast welfare over the best (smallest) valid upper bound computed for the book, so
// it is a lower bound on the true ratio; `boundKind` names it: "block-lp" (schedule/bound.ts,
// scheduleBlockBound: the pooled LP relaxation of schedule/pooled-lp.ts, solved by HiGHS in blocks
// of 300 bids) for the fixed book, "lagrangian" (scheduleWelfareBound: up to 300 level steps, which
// do not depend on the schedule's welfare, so the bound of the seeded book moves only when the bound
// changes) for the flexible book, whose block LP does not solve in minutes (a 300-bid block of it:
// not within 300 s). Both bounds are printed where both are computed (on the fixed book the
// Lagrangian ends ~0.3 % above the block LP: two independent bounds that agree).
//
// "smallBooks" schedules the seeded 60-order books of fast-vs-exact.test.ts (test/backend/pricing/
// schedule/; fixed and flexible) with both schedulers: each ratio is the fast welfare over the HiGHS MIP's
// proven bound (the optimum within a 1e-6 gap).
//
// "fixedLpBooks" and "flexibleLpBooks" put the fast scheduler on books of 400 and 1,000 (fixed)
// and 400 (flexible) orders next to three bounds: the pooled LP relaxation of the whole book
// (HiGHS), the Lagrangian bound, and the HiGHS MIP run for at most 60 s (its proven bound
// `mipBound`, its status, and its own schedule's welfare once placed by the market's rules):
// `mipGap` = 1 − best welfare known / mipBound is how far from the optimum the best known schedule
// can still be; `lpGap` = 1 − mipBound / LP bound the part of the LP bound that integrality takes away.
//
// The machine is shared, so wall-clock times swing with the load: `baselineMs` times a fixed piece
// of work (sorting 2M seeded doubles) in the same run, `vsBaseline` is fastMs over it, and
// `loadAverage` is printed beside the figures.

import os from "node:os";
import { scheduleBlockBound, scheduleWelfareBound } from "../../backend/pricing/schedule/bound.ts";
import { checkSchedule } from "../../backend/pricing/schedule/check.ts";
import { scheduleExact } from "../../backend/pricing/schedule/exact.ts";
import { scheduleFast } from "../../backend/pricing/schedule/fast.ts";
import { HOUR } from "../../backend/pricing/schedule/types.ts";
import { randomTimeBook, rng, TIME_BOOK_NOW } from "../../test/backend/pricing/schedule/fixtures/books.ts";

const json = process.argv.includes("--json");
const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };
const log = (line: string) => {
  if (!json) console.log(line);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const loadAverage = () => os.loadavg().map((l) => Number(l.toFixed(2)));

function baselineMs(): number {
  const random = rng(7);
  const values = Float64Array.from({ length: 2_000_000 }, random);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const copy = values.slice();
    const started = performance.now();
    copy.sort();
    times.push(performance.now() - started);
  }
  return median(times);
}

type Row = {
  fastMs: number;
  /** User CPU time of the process over the same runs: what the load of other processes inflates least. */
  cpuMs: number;
  welfare: number;
  /** The smallest valid upper bound computed on the book's best welfare, and which one it is. */
  bound: number;
  boundKind: "block-lp" | "lagrangian";
  welfareRatio: number;
  boundMs: number;
  /** The Lagrangian bound, always computed: the reference of earlier runs. */
  lagrangianBound: number;
  lagrangianRatio: number;
  lagrangianMs: number;
  lagrangianSteps: number;
  /** The block LP bound where computed. */
  blockLpBound: number | null;
  blockLpMs: number | null;
  blocks: number | null;
  baselineMs: number;
  vsBaseline: number;
  bids: number;
  flexibleBids: number;
  matches: number;
  violations: number;
  loadAverage: number[];
};
const rows: Record<string, Row> = {};

// Warm the JIT on a small book so the first row is not charged for compilation.
scheduleFast(randomTimeBook({ orders: 2_000, seed: 99 }), rules);

for (const [key, flexibleShare] of [
  ["100000", 0],
  ["flexible100000", 0.5],
] as const) {
  const book = randomTimeBook({ orders: 100_000, seed: 1, flexibleShare });
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let fast = scheduleFast(book, rules);
  for (let i = 0; i < 3; i++) {
    const cpu = process.cpuUsage();
    fast = scheduleFast(book, rules);
    cpuTimes.push(process.cpuUsage(cpu).user / 1000);
    times.push(fast.elapsedMs);
  }
  const fastMs = median(times);
  const baseline = baselineMs();
  const violations = checkSchedule(book, fast.matches, rules).violations.filter((v) => v !== undefined).length;
  const lagrangian = scheduleWelfareBound(book, rules);
  const block = flexibleShare === 0 ? scheduleBlockBound(book, rules, { blockBids: 300 }) : undefined;
  const blockBound = block?.optimal ? block.bound : Number.POSITIVE_INFINITY;
  const useBlock = blockBound < lagrangian.bound;
  const bound = Math.min(blockBound, lagrangian.bound);
  log(
    `${key}: fast ${fastMs.toFixed(0)} ms (median of 3; baseline ${baseline.toFixed(0)} ms), ${fast.matches.length} matches, ${violations} contract violations; Lagrangian bound ${(lagrangian.elapsedMs / 1000).toFixed(1)} s (${lagrangian.iterations} steps)${block === undefined ? "" : `, block LP bound ${(block.elapsedMs / 1000).toFixed(1)} s (${block.blocks} blocks, ${block.optimal ? "all optimal" : "NOT all solved"})`}`,
  );
  rows[key] = {
    fastMs: Math.round(fastMs),
    cpuMs: Math.round(median(cpuTimes)),
    welfare: Math.round(fast.welfare),
    bound: Math.round(bound),
    boundKind: useBlock ? "block-lp" : "lagrangian",
    welfareRatio: Number((fast.welfare / bound).toFixed(5)),
    boundMs: Math.round(useBlock ? (block?.elapsedMs ?? 0) : lagrangian.elapsedMs),
    lagrangianBound: Math.round(lagrangian.bound),
    lagrangianRatio: Number((fast.welfare / lagrangian.bound).toFixed(5)),
    lagrangianMs: Math.round(lagrangian.elapsedMs),
    lagrangianSteps: lagrangian.iterations,
    blockLpBound: block?.optimal ? Math.round(block.bound) : null,
    blockLpMs: block === undefined ? null : Math.round(block.elapsedMs),
    blocks: block?.blocks ?? null,
    baselineMs: Math.round(baseline),
    vsBaseline: Number((fastMs / baseline).toFixed(2)),
    bids: book.bids.length,
    flexibleBids: book.bids.filter((b) => b.latestEnd - b.earliestStart > b.durationHours * HOUR).length,
    matches: fast.matches.length,
    violations,
    loadAverage: loadAverage(),
  };
}

type SmallBook = { seed: number; flexibleShare: number; ratio: number; exactMs: number; violations: number };
// Seed 6 is left out as in the test: the MIP does not prove its optimum within 60 s.
const SMALL_SEEDS = [1, 2, 3, 4, 5, 7, 8, 9, 10];
const smallBooks: SmallBook[] = [];
for (const flexibleShare of [0, 0.5]) {
  for (const seed of SMALL_SEEDS) {
    const book = randomTimeBook({ orders: 60, seed, flexibleShare });
    const fast = scheduleFast(book, rules);
    const exact = scheduleExact(book, { ...rules, timeLimitSeconds: 60 });
    const violations = checkSchedule(book, fast.matches, rules).violations.filter((v) => v !== undefined).length;
    if (exact.status !== "optimal" || exact.upperBound === undefined) {
      log(`  60 orders, seed ${seed}, flexible ${flexibleShare}: the MIP did not finish in 60 s`);
      continue;
    }
    smallBooks.push({
      seed,
      flexibleShare,
      ratio: Number((fast.welfare / exact.upperBound).toFixed(5)),
      exactMs: Math.round(exact.elapsedMs),
      violations,
    });
  }
}
// Books of a few hundred orders: the pooled LP of the whole book is solved in seconds (fixed) to
// minutes (flexible), and the MIP, given a minute, says how much of the gap to it is integrality and
// how much is the schedule's.
type MidBook = {
  orders: number;
  flexibleShare: number;
  fastWelfare: number;
  lpBound: number | null;
  lpRatio: number | null;
  lagrangianBound: number;
  lagrangianRatio: number;
  lpMs: number;
  lagrangianMs: number;
  mipBound: number;
  mipStatus: string;
  mipWelfare: number;
  mipRatio: number;
  mipGap: number;
  lpGap: number | null;
  mipMs: number;
};
const midBook = (orders: number, flexibleShare: number): MidBook => {
  const book = randomTimeBook({ orders, seed: 1, flexibleShare });
  const fast = scheduleFast(book, rules);
  const lp = scheduleBlockBound(book, rules, { blockBids: Number.MAX_SAFE_INTEGER, timeLimitSeconds: 300 });
  const lagrangian = scheduleWelfareBound(book, rules);
  const mip = scheduleExact(book, { ...rules, timeLimitSeconds: 60 });
  const lpBound = lp.optimal ? lp.bound : null;
  const mipBound = Math.min(mip.upperBound ?? Number.POSITIVE_INFINITY, lp.bound, lagrangian.bound);
  return {
    orders,
    flexibleShare,
    fastWelfare: Math.round(fast.welfare),
    lpBound: lpBound === null ? null : Math.round(lpBound),
    lpRatio: lpBound === null ? null : Number((fast.welfare / lpBound).toFixed(5)),
    lagrangianBound: Math.round(lagrangian.bound),
    lagrangianRatio: Number((fast.welfare / lagrangian.bound).toFixed(5)),
    lpMs: Math.round(lp.elapsedMs),
    lagrangianMs: Math.round(lagrangian.elapsedMs),
    mipBound: Math.round(mipBound),
    mipStatus: mip.status,
    mipWelfare: Math.round(mip.welfare),
    mipRatio: Number((fast.welfare / mipBound).toFixed(5)),
    mipGap: Number((1 - Math.max(fast.welfare, mip.welfare) / mipBound).toFixed(5)),
    lpGap: lpBound === null ? null : Number((1 - mipBound / lpBound).toFixed(5)),
    mipMs: Math.round(mip.elapsedMs),
  };
};
const fixedLpBooks = [400, 1_000].map((orders) => midBook(orders, 0));
const flexibleLpBooks = [400].map((orders) => midBook(orders, 0.5));
const midBooks = [...fixedLpBooks, ...flexibleLpBooks];

const summary = (share: number) => {
  const ratios = smallBooks.filter((b) => b.flexibleShare === share).map((b) => b.ratio);
  return { books: ratios.length, worst: Math.min(...ratios), atLeast0995: ratios.filter((r) => r >= 0.995).length };
};
const small = { fixed: summary(0), flexible: summary(0.5), books: smallBooks };

if (json) console.log(JSON.stringify({ ...rows, smallBooks: small, fixedLpBooks, flexibleLpBooks }));
else {
  const cell = (v: number | string | null, width: number) => String(v ?? "—").padStart(width);
  console.log(
    "\n  100k orders   │ fast ms │ cpu ms │ × baseline │ bound      │ bound ms │ welfare ratio │ vs Lagrangian │ violations │ load average",
  );
  console.log(
    "────────────────┼─────────┼────────┼────────────┼────────────┼──────────┼───────────────┼───────────────┼────────────┼─────────────",
  );
  for (const [key, r] of Object.entries(rows)) {
    console.log(
      `${cell(key, 15)} │${cell(r.fastMs, 8)} │${cell(r.cpuMs, 7)} │${cell(r.vsBaseline, 11)} │${cell(r.boundKind, 11)} │${cell(r.boundMs, 9)} │${cell(r.welfareRatio, 14)} │${cell(r.lagrangianRatio, 14)} │${cell(r.violations, 11)} │ ${r.loadAverage.join(" ")}`,
    );
  }
  console.log("\n  60-order books │ seed │ fast / MIP optimum │ MIP ms │ violations");
  console.log("─────────────────┼──────┼────────────────────┼────────┼───────────");
  for (const b of smallBooks) {
    console.log(
      `${cell(b.flexibleShare === 0 ? "fixed" : "flexible", 16)} │${cell(b.seed, 5)} │${cell(b.ratio, 19)} │${cell(b.exactMs, 7)} │${cell(b.violations, 10)}`,
    );
  }
  console.log(
    "\n  book           │ fast / LP │ fast / Lagrangian │ fast / MIP bound │ MIP status │ MIP gap │ LP − MIP bound │ LP ms │ MIP ms",
  );
  for (const b of midBooks)
    console.log(
      `${cell(`${b.orders} ${b.flexibleShare === 0 ? "fixed" : "flexible"}`, 15)} │${cell(b.lpRatio, 10)} │${cell(b.lagrangianRatio, 18)} │${cell(b.mipRatio, 17)} │${cell(b.mipStatus, 11)} │${cell(b.mipGap, 8)} │${cell(b.lpGap, 15)} │${cell(b.lpMs, 6)} │${cell(b.mipMs, 7)}`,
    );
  for (const [name, s] of [
    ["fixed", small.fixed],
    ["flexible", small.flexible],
  ] as const)
    console.log(`  ${name}: ${s.atLeast0995} of ${s.books} books ≥ 0.995 of the optimum, worst ${s.worst}`);
}
