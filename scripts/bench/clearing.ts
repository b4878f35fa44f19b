// Clearing benchmark: the fast clearer against the exact HiGHS reference on seeded random books of
// 1k, 10k and 100k orders (bids + offers, each bid compatible with about 10 compute offers).
//
//   npm run bench:clearing            a table
//   npm run bench:clearing -- --json  { "1000": { "fastMs", "exactMs", "welfareRatio", … }, … }
//
// welfareRatio is the fast clearer's welfare over the optimum where the HiGHS MIP proves one within
// 60 s. Beyond that it is taken over the best upper bound available — HiGHS's MIP bound at the time
// limit, the LP relaxation's optimum (HiGHS, or its exact Lagrangian dual computed by network
// simplex when HiGHS cannot finish in 60 s) — so the ratio shown is then a lower bound on the true
// one; `reference` says which. exactMs is null when the MIP did not finish in 60 s, or was skipped
// because a smaller book already did not. Every fast batch is checked against the contract's rules.
//
// Scheduling in hours (docs/pricing.md, "Scheduling in hours"): "flexible100000" is a time-matched
// book of 100k orders (half of the bids may start anywhere in 24 h, jobs of 1–8 h) scheduled by the
// fast scheduler, "fixedHours100000" the same generator with every bid fixed. Their welfareRatio is
// taken over the Lagrangian bound of schedule/bound.ts (a lower bound on the true ratio), every
// batch is checked hour by hour (schedule/check.ts), and `vsBaseline` is fastMs over the "100000"
// row's fastMs of the same run (the machine is shared: compare ratios, and read `loadAverage`).
//
//   npm run bench:clearing -- --json --only=schedule   the scheduling rows only (baseline included)

import os from "node:os";
import { clearExact, welfareUpperBound } from "../../backend/pricing/clearing/exact.ts";
import { clearFast } from "../../backend/pricing/clearing/fast.ts";
import { checkBatch } from "../../backend/pricing/clearing/feasibility.ts";
import { lagrangianWelfareBound } from "../../backend/pricing/clearing/relaxation.ts";
import { scheduleWelfareBound } from "../../backend/pricing/schedule/bound.ts";
import { checkSchedule } from "../../backend/pricing/schedule/check.ts";
import { scheduleFast } from "../../backend/pricing/schedule/fast.ts";
import { BOOK_NOW, randomBook } from "../../test/backend/pricing/fixtures/books.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "../../test/backend/pricing/schedule/fixtures/books.ts";

const scheduleOnly = process.argv.includes("--only=schedule");
const SIZES = scheduleOnly ? [100_000] : [1_000, 10_000, 100_000];
const LIMIT_SECONDS = 60;
const json = process.argv.includes("--json");
const rules = { now: BOOK_NOW, platformFeeBps: 30 };
const log = (line: string) => {
  if (!json) console.log(line);
};

type Row = {
  fastMs: number;
  exactMs: number | null;
  welfareRatio: number | null;
  reference: "mip" | "mip-bound" | "lp-bound" | "lagrangian-bound";
  boundMs: number | null;
  lagrangianMs: number;
  bids: number;
  matches: number;
  violations: number;
};

const rows: Record<string, Row> = {};
let mipFinished = !scheduleOnly;
// Warm the JIT on a small book so the first size is not charged for compilation.
clearFast(randomBook({ orders: 500, seed: 99 }), rules);

for (const orders of SIZES) {
  const book = randomBook({ orders, seed: 1 });
  const runs = orders >= 100_000 ? 3 : 5;
  const times: number[] = [];
  let fast = clearFast(book, rules);
  times.push(fast.elapsedMs);
  for (let i = 1; i < runs; i++) {
    fast = clearFast(book, rules);
    times.push(fast.elapsedMs);
  }
  const fastMs = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  const violations = checkBatch(book, fast.matches, rules).violations.filter((v) => v !== undefined).length;
  log(
    `${orders} orders: fast ${fastMs.toFixed(0)} ms (median of ${runs}), ${fast.matches.length} matches, ${violations} contract violations`,
  );

  let exactMs: number | null = null;
  const bounds: { value: number; reference: Row["reference"] }[] = [];
  if (mipFinished) {
    const exact = clearExact(book, { ...rules, timeLimitSeconds: LIMIT_SECONDS });
    mipFinished = exact.status === "optimal";
    log(`  HiGHS MIP: ${exact.status} after ${(exact.elapsedMs / 1000).toFixed(1)} s`);
    if (mipFinished) {
      exactMs = exact.elapsedMs;
      bounds.push({ value: exact.welfare, reference: "mip" });
    } else if (exact.upperBound !== undefined && Number.isFinite(exact.upperBound)) {
      bounds.push({ value: exact.upperBound, reference: "mip-bound" });
    }
  } else log("  HiGHS MIP: skipped (a smaller book already exceeded the limit)");

  let boundMs: number | null = null;
  if (!mipFinished && !scheduleOnly) {
    const lp = welfareUpperBound(book, { ...rules, timeLimitSeconds: LIMIT_SECONDS });
    log(`  HiGHS LP bound: ${lp.optimal ? "solved" : "not solved"} after ${(lp.elapsedMs / 1000).toFixed(1)} s`);
    if (lp.optimal && lp.bound !== undefined) {
      boundMs = lp.elapsedMs;
      bounds.push({ value: lp.bound, reference: "lp-bound" });
    }
  }
  const lagrangian = lagrangianWelfareBound(book, rules);
  log(`  Lagrangian LP bound (network simplex): ${(lagrangian.elapsedMs / 1000).toFixed(1)} s`);
  if (!mipFinished && boundMs === null) bounds.push({ value: lagrangian.bound, reference: "lagrangian-bound" });

  const reference = bounds.find((b) => b.reference === "mip") ?? bounds.sort((a, b) => a.value - b.value)[0];
  rows[String(orders)] = {
    fastMs: Math.round(fastMs),
    exactMs: exactMs === null ? null : Math.round(exactMs),
    welfareRatio: Number((fast.welfare / reference.value).toFixed(5)),
    reference: reference.reference,
    boundMs: boundMs === null ? null : Math.round(boundMs),
    lagrangianMs: Math.round(lagrangian.elapsedMs),
    bids: book.bids.length,
    matches: fast.matches.length,
    violations,
  };
}

type ScheduleRow = {
  fastMs: number;
  welfareRatio: number;
  reference: "lagrangian-bound";
  boundMs: number;
  vsBaseline: number;
  bids: number;
  flexibleBids: number;
  matches: number;
  violations: number;
  loadAverage: number[];
};
const scheduleRows: Record<string, ScheduleRow> = {};
const timeRules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };
scheduleFast(randomTimeBook({ orders: 500, seed: 99 }), timeRules);
for (const [key, flexibleShare] of [
  ["flexible100000", 0.5],
  ["fixedHours100000", 0],
] as const) {
  const book = randomTimeBook({ orders: 100_000, seed: 1, flexibleShare });
  const times: number[] = [];
  let fast = scheduleFast(book, timeRules);
  times.push(fast.elapsedMs);
  for (let i = 1; i < 3; i++) {
    fast = scheduleFast(book, timeRules);
    times.push(fast.elapsedMs);
  }
  const fastMs = times.sort((a, b) => a - b)[1];
  const violations = checkSchedule(book, fast.matches, timeRules).violations.filter((v) => v !== undefined).length;
  const bound = scheduleWelfareBound(book, timeRules, fast.welfare);
  log(
    `${key}: fast ${fastMs.toFixed(0)} ms (median of 3), ${fast.matches.length} matches, ${violations} contract violations; Lagrangian bound ${(bound.elapsedMs / 1000).toFixed(1)} s (${bound.iterations} steps)`,
  );
  scheduleRows[key] = {
    fastMs: Math.round(fastMs),
    welfareRatio: Number((fast.welfare / bound.bound).toFixed(5)),
    reference: "lagrangian-bound",
    boundMs: Math.round(bound.elapsedMs),
    vsBaseline: Number((fastMs / rows["100000"].fastMs).toFixed(3)),
    bids: book.bids.length,
    flexibleBids: book.bids.filter((b) => b.latestEnd - b.earliestStart > b.durationHours * 3600).length,
    matches: fast.matches.length,
    violations,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

if (json) console.log(JSON.stringify({ ...rows, ...scheduleRows }));
else {
  const cell = (v: number | string | null, width: number) => String(v ?? "—").padStart(width);
  console.log("\n  orders │ fast ms │ HiGHS MIP ms │ HiGHS LP ms │ Lagrangian ms │ welfare ratio │ against");
  console.log("─────────┼─────────┼──────────────┼─────────────┼───────────────┼───────────────┼─────────────────");
  for (const [orders, r] of Object.entries(rows)) {
    const exact = r.exactMs ?? `>${LIMIT_SECONDS}000`;
    const lp = r.boundMs ?? (r.reference === "mip" ? null : `>${LIMIT_SECONDS}000`);
    console.log(
      `${cell(orders, 8)} │${cell(r.fastMs, 8)} │${cell(exact, 13)} │${cell(lp, 12)} │${cell(r.lagrangianMs, 14)} │${cell(r.welfareRatio, 14)} │ ${r.reference}`,
    );
  }
  console.log("\n  scheduling in hours │ fast ms │ × baseline │ bound ms │ welfare ratio │ violations │ load average");
  console.log("──────────────────────┼─────────┼────────────┼──────────┼───────────────┼────────────┼─────────────");
  for (const [key, r] of Object.entries(scheduleRows)) {
    console.log(
      `${cell(key, 21)} │${cell(r.fastMs, 8)} │${cell(r.vsBaseline, 11)} │${cell(r.boundMs, 9)} │${cell(r.welfareRatio, 14)} │${cell(r.violations, 11)} │ ${r.loadAverage.join(" ")}`,
    );
  }
}
