// Quote requests a crowd of buyers would send against the book test/backend/api/market-book.ts
// builds: every hardware class, one to four regions by name or code, jobs of one to twelve hours
// fixed or flexible within up to two days starting within five days, one to a hundred VCU, limits
// from below the reserves to well above, every green share and certificate origin, with and
// without bandwidth. Reproducible from a seed,
// and distinct: the API benchmark quotes them so that no cache keyed on the body could flatter it.
import { HARDWARE_CLASSES, REGIONS } from "../../../protocol/units.ts";
import { rng } from "../pricing/schedule/fixtures/books.ts";

export type QuoteBodyOptions = {
  /** Unix seconds the book was built for (market-book's `now`). */
  now: number;
  count: number;
  seed?: number;
};

/** Compute reserves near market-book's, per class: limits are drawn around them. */
const COMPUTE_PRICE = [40_000, 120_000, 900_000, 2_500_000];
const GREEN_SHARES = [0, 0, 2_500, 5_000, 8_000, 10_000];
const HOUR = 3_600;

/** `count` distinct JSON bodies for POST /api/quote. */
export function quoteBodies(options: QuoteBodyOptions): string[] {
  const next = rng(options.seed ?? 7);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const bodies = new Set<string>();
  while (bodies.size < options.count) {
    const c = int(0, HARDWARE_CLASSES.length - 1);
    const regions = new Set<number>();
    const regionCount = pick([1, 1, 2, 2, 3, 4]);
    while (regions.size < regionCount) regions.add(pick(REGIONS).code);
    // Names or codes, as a client may send either.
    const refer = (code: number) => (next() < 0.7 ? REGIONS.find((r) => r.code === code)!.name : code);
    const buyerRegion = next() < 0.6 ? pick([...regions]) : pick(REGIONS).code;
    const start = (Math.floor(options.now / HOUR) + int(1, 120)) * HOUR;
    const durationHours = int(1, 12);
    const end = start + (durationHours + pick([0, 0, 2, 6, 24, 36])) * HOUR;
    const vcu = Math.round(Math.exp(next() * Math.log(100)));
    // All-in limit per VCU-hour: from under the compute reserve (refused) to three times it.
    const limit = Math.round(COMPUTE_PRICE[c] * (0.8 + next() * 2.2));
    const iso = next() < 0.2;
    const body: Record<string, unknown> = {
      hardwareClass: HARDWARE_CLASSES[c],
      acceptableRegions: [...regions].map(refer),
      buyerRegion: refer(buyerRegion),
      earliestStart: iso ? new Date(start * 1000).toISOString() : start,
      latestEnd: iso ? new Date(end * 1000).toISOString() : end,
      durationHours,
      vcu,
      limitPricePerVcuHour: String(limit),
      minGreenBps: pick(GREEN_SHARES),
    };
    if (next() < 0.4) body.certificateOrigin = pick(["compute-region", "grid-area", "anywhere"]);
    if (next() < 0.7) body.bandwidthMbps = String(pick([10, 50, 100, 200, 500]));
    if (next() < 0.6) body.maxLatencyMs = pick([20, 40, 60, 120]);
    bodies.add(JSON.stringify(body));
  }
  return [...bodies];
}
