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

import { clearExact, welfareUpperBound } from "../../backend/pricing/clearing/exact.ts";
import { clearFast } from "../../backend/pricing/clearing/fast.ts";
import { checkBatch } from "../../backend/pricing/clearing/feasibility.ts";
import { lagrangianWelfareBound } from "../../backend/pricing/clearing/relaxation.ts";
import { BOOK_NOW, randomBook } from "../../test/backend/pricing/fixtures/books.ts";

const SIZES = [1_000, 10_000, 100_000];
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
let mipFinished = true;
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
  if (!mipFinished) {
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

if (json) console.log(JSON.stringify(rows));
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
}
