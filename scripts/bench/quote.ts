// CPU time of the quote itself (backend/api/quote.ts quoteBid), without HTTP: the API benchmark's
// book and distinct bodies (test/backend/api/market-book.ts, quote-bodies.ts), parsed once, each
// quoted in turn for a few rounds after a warm-up round. CPU time (process.cpuUsage), not wall
// time, so a machine shared with other work moves it less; the load average is printed with it.
//
//   node scripts/bench/quote.ts [--json] [--rounds 5] [--bodies 1200]
//   node scripts/bench/quote.ts --schedulers   the quotes' scheduling alone: the one-bid scheduler
//       (schedule/one-bid.ts, what clearBook runs for a quote) against scheduleFast on the same cut
//       one-bid books, in interleaved rounds
//   node --cpu-prof --cpu-prof-dir DIR scripts/bench/quote.ts   profile it
//   node scripts/bench/quote.ts --evict 2048   the same, with 2,048 KB of memory written between quotes
//       (outside the timed part), as a server's other work evicts the quote's data from the caches
//       between requests (docs/architecture.md, "Quotes per process")
//   node scripts/bench/quote.ts --against DIR   whether another checkout (e.g. a `git archive` of main
//       with node_modules linked) answers every body with the same text; time each tree with its own
//       run of this script, alternating (two module graphs in one process time differently by ~8 %)
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { bookFor } from "../../backend/api/book-index.ts";
import { bidOf, quoteBid } from "../../backend/api/quote.ts";
import { QuoteRequest } from "../../backend/api/schemas/quote.ts";
import { scheduleFast } from "../../backend/pricing/schedule/fast.ts";
import { scheduleOneBid } from "../../backend/pricing/schedule/one-bid.ts";
import { bidHours, cutToHours, toTimedBook } from "../../backend/pricing/scheduling.ts";
import { marketBook } from "../../test/backend/api/market-book.ts";
import { quoteBodies } from "../../test/backend/api/quote-bodies.ts";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    rounds: { type: "string", default: "5" },
    bodies: { type: "string", default: "1200" },
    schedulers: { type: "boolean", default: false },
    against: { type: "string" },
    evict: { type: "string", default: "0" },
  },
});
const rounds = Number(args.rounds);
const count = Number(args.bodies);
const evictKb = Number(args.evict);
if (
  !(Number.isInteger(rounds) && rounds >= 1 && rounds <= 100 && Number.isInteger(count) && count >= 1) ||
  !(Number.isInteger(evictKb) && evictKb >= 0 && evictKb <= 65_536)
) {
  console.error("--rounds must be an integer in [1, 100], --bodies a positive integer, --evict KB in [0, 65536]");
  process.exit(2);
}

const now = Math.floor(Date.now() / 1000);
const book = marketBook({ now });
const requests = quoteBodies({ now, count }).map((body) => QuoteRequest.parse(JSON.parse(body)));
const context = { now, platformFeeBps: 30 };
const cpu = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

if (args.schedulers) {
  compareSchedulers();
  process.exit(0);
}
if (args.against !== undefined) {
  await compareAnswers(path.resolve(args.against));
  process.exit();
}

// Written one cache line (8 doubles) at a time between quotes, so a quote finds its data evicted.
const evicting = new Float64Array((evictKb * 1024) / 8);
const evict = () => {
  for (let k = 0; k < evicting.length; k += 8) evicting[k] += 1;
};
const load = loadavg();
// The first round builds the book's indexes and warms the JIT up.
for (const request of requests) quoteBid(request, book, context);
const outcomes: Record<string, number> = {};
const perRound: number[] = [];
for (let round = 0; round < rounds; round++) {
  const started = cpu();
  // The evicting is timed and taken out (its two clock reads with it); without --evict nothing is.
  let evicted = 0;
  for (const request of requests) {
    if (evictKb > 0) {
      const from = cpu();
      evict();
      evicted += cpu() - from;
    }
    const { outcome } = quoteBid(request, book, context);
    if (round === 0) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  perRound.push((cpu() - started - evicted) / requests.length);
}
const sorted = [...perRound].sort((a, b) => a - b);
const figures = {
  bodies: requests.length,
  rounds,
  evictKb,
  outcomes,
  cpuUsPerQuote: Math.round(sorted[Math.floor(sorted.length / 2)]),
  cpuUsPerQuoteByRound: perRound.map(Math.round),
  loadAverage: [...load, ...loadavg()].map((l) => Math.round(l * 100) / 100),
};
if (args.json) console.log(JSON.stringify(figures));
else
  console.log(
    `${figures.cpuUsPerQuote} µs CPU per quote${evictKb > 0 ? ` (${evictKb} KB evicted between quotes)` : ""} (median of ${rounds} rounds over ${requests.length} bodies: ${figures.cpuUsPerQuoteByRound.join(", ")}); load average before ${figures.loadAverage.slice(0, 3).join(" ")}, after ${figures.loadAverage.slice(3).join(" ")}`,
  );

/** CPU µs per quote of the one-bid scheduler and of scheduleFast on the same books, rounds interleaved. */
function compareSchedulers(): void {
  const load = loadavg();
  const rules = { now, platformFeeBps: 30 };
  // The books clearBook schedules: the quote's bid alone on its part of the book, cut to its hours.
  const books = requests.map((request) => {
    const timed = toTimedBook(bookFor(bidOf(request, now), book));
    return { timed, hours: bidHours(timed, now) };
  });
  const time = (schedule: (b: (typeof books)[number]) => void) => {
    const started = cpu();
    for (const b of books) schedule(b);
    return (cpu() - started) / books.length;
  };
  const general = (b: (typeof books)[number]) =>
    scheduleFast(b.hours === undefined ? b.timed : cutToHours(b.timed, b.hours), rules);
  const oneBid = (b: (typeof books)[number]) => scheduleOneBid(b.timed, rules, b.hours);
  time(general);
  time(oneBid);
  const generalUs: number[] = [];
  const oneBidUs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    generalUs.push(time(general));
    oneBidUs.push(time(oneBid));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const figures = {
    bodies: books.length,
    rounds,
    scheduleFastCpuUs: Math.round(median(generalUs) * 10) / 10,
    scheduleOneBidCpuUs: Math.round(median(oneBidUs) * 10) / 10,
    ratio: Math.round((median(oneBidUs) / median(generalUs)) * 100) / 100,
    loadAverage: [...load, ...loadavg()].map((l) => Math.round(l * 100) / 100),
  };
  if (args.json) console.log(JSON.stringify(figures));
  else
    console.log(
      `scheduling per quote: scheduleFast ${figures.scheduleFastCpuUs} µs, one-bid ${figures.scheduleOneBidCpuUs} µs CPU (ratio ${figures.ratio}, median of ${rounds} interleaved rounds over ${books.length} bodies); load average before ${figures.loadAverage.slice(0, 3).join(" ")}, after ${figures.loadAverage.slice(3).join(" ")}`,
    );
}

/** This checkout's answers against another's (`--against DIR`), as the API writes them, on the same book and bodies. */
async function compareAnswers(dir: string): Promise<void> {
  const other = (await import(path.join(dir, "backend/api/quote.ts"))) as { quoteBid: typeof quoteBid };
  const otherSchema = (await import(path.join(dir, "backend/api/schemas/quote.ts"))) as {
    QuoteRequest: typeof QuoteRequest;
  };
  const bodies = quoteBodies({ now, count });
  let differing = 0;
  let first: number | undefined;
  for (let i = 0; i < bodies.length; i++) {
    const mine = JSON.stringify(quoteBid(requests[i], book, context));
    const theirs = JSON.stringify(other.quoteBid(otherSchema.QuoteRequest.parse(JSON.parse(bodies[i])), book, context));
    if (mine !== theirs) {
      differing++;
      first ??= i;
    }
  }
  const figures = { against: dir, bodies: bodies.length, differing, firstDiffering: first ?? null };
  if (args.json) console.log(JSON.stringify(figures));
  else
    console.log(
      differing === 0
        ? `the same answer text for all ${bodies.length} bodies as ${dir}`
        : `${differing} of ${bodies.length} answers differ from ${dir}'s (first: body ${first})`,
    );
  if (differing > 0) process.exitCode = 1;
}
