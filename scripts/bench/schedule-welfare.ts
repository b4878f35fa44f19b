// Welfare and CPU of the fast scheduler on seeded books, without the whole clearing bench: each book
// is built once, scheduled `--runs` times; prints the welfare, its ratio to the bound recorded for
// the 100k books (docs/pricing.md) and the median CPU ms of scheduleFast, with the load average.
// `--tree` schedules with another checkout's scheduler (a baseline), so two trees can take turns in
// separate processes.
//
//   node scripts/bench/schedule-welfare.ts --orders 100000 --flexible 0.5 --seeds 1 --runs 3
//   node scripts/bench/schedule-welfare.ts --orders 1000,5000,20000 --flexible 0.5 --seeds 1,2 --tree /tmp/ccex-main

import os from "node:os";
import path from "node:path";
import type { scheduleFast as ScheduleFast } from "../../backend/pricing/schedule/fast.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "../../test/backend/pricing/schedule/fixtures/books.ts";
import { recordedBound } from "./recorded-bounds.ts";

const argument = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
};
const sizes = argument("--orders", "100000").split(",").map(Number);
const shares = argument("--flexible", "0.5").split(",").map(Number);
const seeds = argument("--seeds", "1").split(",").map(Number);
const runs = Number(argument("--runs", "3"));
const tree = path.resolve(argument("--tree", path.join(import.meta.dirname, "../..")));
const scheduleFast: typeof ScheduleFast = (await import(path.join(tree, "backend/pricing/schedule/fast.ts")))
  .scheduleFast;
const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };

for (const orders of sizes)
  for (const flexibleShare of shares)
    for (const seed of seeds) {
      const book = randomTimeBook({ orders, seed, flexibleShare });
      const cpu: number[] = [];
      let welfare = 0;
      for (let r = 0; r < runs; r++) {
        const start = process.cpuUsage();
        welfare = scheduleFast(book, rules).welfare;
        const used = process.cpuUsage(start);
        cpu.push((used.user + used.system) / 1000);
      }
      cpu.sort((a, b) => a - b);
      const bound = recordedBound(orders, flexibleShare, seed);
      const ratio = bound === undefined ? "" : ` ratio ${(welfare / bound).toFixed(5)}`;
      console.log(
        `${path.basename(tree)} ${orders} orders, ${flexibleShare} flexible, seed ${seed}: welfare ${welfare}${ratio}` +
          ` cpu ${cpu[Math.floor(cpu.length / 2)].toFixed(0)} ms (${cpu.map((c) => c.toFixed(0)).join(" ")})` +
          ` load ${os.loadavg()[0].toFixed(2)}`,
      );
    }
