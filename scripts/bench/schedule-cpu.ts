// CPU and welfare of the fast scheduler on one seeded book, without the whole clearing bench: the
// book of `npm run bench:clearing`'s "100000" (or `--flexible 0.5`: "flexible100000"), scheduled
// `--runs` times after one unmeasured run; prints the welfare, its ratio to the best known bound
// of that book (docs/pricing.md, "Scheduling in hours") and the median user-CPU ms, with the load
// average. Run it for two trees in separate processes taking turns (A B A B …) to compare CPU.
//
//   node scripts/bench/schedule-cpu.ts [--tree /other/checkout] [--orders 100000] [--flexible 0] [--runs 5]

import os from "node:os";
import path from "node:path";
import { randomTimeBook, TIME_BOOK_NOW } from "../../test/backend/pricing/schedule/fixtures/books.ts";
import { recordedBound } from "./recorded-bounds.ts";

const argument = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
};
const tree = path.resolve(argument("--tree", path.join(import.meta.dirname, "../..")));
const orders = Number(argument("--orders", "100000"));
const flexibleShare = Number(argument("--flexible", "0"));
const runs = Number(argument("--runs", "5"));
const { scheduleFast } = await import(path.join(tree, "backend/pricing/schedule/fast.ts"));

const book = randomTimeBook({ orders, seed: 1, flexibleShare });
const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };
const load = () => os.loadavg()[0].toFixed(2);
const loadBefore = load();
let welfare = scheduleFast(book, rules).welfare;
const cpu: number[] = [];
for (let i = 0; i < runs; i++) {
  const before = process.cpuUsage();
  welfare = scheduleFast(book, rules).welfare;
  cpu.push(process.cpuUsage(before).user / 1000);
}
const median = [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)];
const bound = recordedBound(orders, flexibleShare);
console.log(
  `${path.basename(tree)} ${orders} orders ${flexibleShare} flexible: welfare ${welfare}` +
    `${bound === undefined ? "" : ` (${(welfare / bound).toFixed(5)} of the bound)`}, CPU ms median ${median.toFixed(0)} ` +
    `[${cpu.map((c) => c.toFixed(0)).join(" ")}], load ${loadBefore} → ${load()}`,
);
