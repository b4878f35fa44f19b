// CPU of a priced quote split in two: the whole quoteBid, and its stage 1 alone (bookFor + clearBook,
// the one-bid scheduling), over the bench bodies that price, interleaved round by round in one
// process; what is left is stage 2 (Nash bargaining, replacement searches) with presenting the
// answer. The share of stage 2 against stage 1 moves less with the machine's load than either figure.
// Then every body's quote timed on its own, round after round: per outcome (priced, limit-too-low,
// infeasible) the median, p90, max and mean over the bodies of each body's median CPU, and the
// mean over all bodies (the expensive quotes are a few bodies, which a mean over all hides).
//
//   node scripts/bench/quote-stages.ts [--json] [--rounds 15] [--tree DIR]
//   --tree DIR   time another checkout's modules (e.g. a baseline worktree); run the two trees in
//                alternating processes and compare medians (docs/architecture.md, "Quotes per process")
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    rounds: { type: "string", default: "15" },
    tree: { type: "string", default: path.resolve(import.meta.dirname, "../..") },
  },
});
const rounds = Number(args.rounds);
if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 100)) {
  console.error("--rounds must be an integer in [1, 100]");
  process.exit(2);
}
const dir = path.resolve(args.tree);
const { quoteBid, bidOf } = (await import(
  path.join(dir, "backend/api/quote.ts")
)) as typeof import("../../backend/api/quote.ts");
const { bookFor } = (await import(
  path.join(dir, "backend/api/book-index.ts")
)) as typeof import("../../backend/api/book-index.ts");
const { QuoteRequest } = (await import(
  path.join(dir, "backend/api/schemas/quote.ts")
)) as typeof import("../../backend/api/schemas/quote.ts");
const { clearBook } = (await import(
  path.join(dir, "backend/pricing/index.ts")
)) as typeof import("../../backend/pricing/index.ts");
const { marketBook } = (await import(
  path.join(dir, "test/backend/api/market-book.ts")
)) as typeof import("../../test/backend/api/market-book.ts");
const { quoteBodies } = (await import(
  path.join(dir, "test/backend/api/quote-bodies.ts")
)) as typeof import("../../test/backend/api/quote-bodies.ts");

const load = loadavg();
const now = Math.floor(Date.now() / 1000);
const book = marketBook({ now });
const context = { now, platformFeeBps: 30 };
const all = quoteBodies({ now, count: 1200 }).map((body) => QuoteRequest.parse(JSON.parse(body)));
const cpu = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const outcomeOf = all.map((request) => quoteBid(request, book, context).outcome);
const priced = all.filter((_, i) => outcomeOf[i] === "priced");
const stage1 = () => {
  for (const request of priced) clearBook(bookFor(bidOf(request, now), book), context);
};
const whole = () => {
  for (const request of priced) quoteBid(request, book, context);
};
// Warm-up: the book's indexes, the JIT.
for (let i = 0; i < 3; i++) {
  stage1();
  whole();
}
const stage1Us: number[] = [];
const quoteUs: number[] = [];
for (let round = 0; round < rounds; round++) {
  let started = cpu();
  stage1();
  stage1Us.push((cpu() - started) / priced.length);
  started = cpu();
  whole();
  quoteUs.push((cpu() - started) / priced.length);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round1 = (x: number) => Math.round(x * 10) / 10;
// Each body alone (two clock reads per quote, ~1 µs, in every figure alike).
const perBody: number[][] = all.map(() => []);
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < all.length; i++) {
    const started = cpu();
    quoteBid(all[i], book, context);
    perBody[i].push(cpu() - started);
  }
}
const bodyUs = perBody.map(median);
const distribution = (us: number[]) => {
  const sorted = [...us].sort((a, b) => a - b);
  return {
    bodies: us.length,
    medianUs: round1(sorted[Math.floor(sorted.length / 2)]),
    p90Us: round1(sorted[Math.floor(sorted.length * 0.9)]),
    maxUs: round1(sorted[sorted.length - 1]),
    meanUs: round1(us.reduce((s, x) => s + x, 0) / us.length),
  };
};
const byOutcome: Record<string, ReturnType<typeof distribution>> = {};
for (const outcome of [...new Set(outcomeOf)].sort())
  byOutcome[outcome] = distribution(bodyUs.filter((_, i) => outcomeOf[i] === outcome));
const figures = {
  tree: dir,
  pricedBodies: priced.length,
  rounds,
  quoteCpuUs: round1(median(quoteUs)),
  stage1CpuUs: round1(median(stage1Us)),
  restCpuUs: round1(median(quoteUs.map((q, i) => q - stage1Us[i]))),
  restPerStage1: Math.round((median(quoteUs.map((q, i) => q - stage1Us[i])) / median(stage1Us)) * 100) / 100,
  allBodies: distribution(bodyUs),
  byOutcome,
  loadAverage: [...load, ...loadavg()].map((l) => Math.round(l * 100) / 100),
};
const line = (name: string, d: ReturnType<typeof distribution>) =>
  `  ${name} (${d.bodies} bodies): median ${d.medianUs} µs, p90 ${d.p90Us}, max ${d.maxUs}, mean ${d.meanUs}`;
if (args.json) console.log(JSON.stringify(figures));
else
  console.log(
    [
      `${figures.tree}: a priced quote ${figures.quoteCpuUs} µs CPU, stage 1 alone ${figures.stage1CpuUs}, the rest (stage 2 + presenting) ${figures.restCpuUs} = ${figures.restPerStage1} × stage 1 (median of ${rounds} rounds over ${priced.length} priced bodies); load average before ${figures.loadAverage.slice(0, 3).join(" ")}, after ${figures.loadAverage.slice(3).join(" ")}`,
      `each body's median CPU over ${rounds} rounds:`,
      line("all", figures.allBodies),
      ...Object.entries(byOutcome).map(([outcome, d]) => line(outcome, d)),
    ].join("\n"),
  );
